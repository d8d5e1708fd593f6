/**
 * From a request to a plan: signals, eligibility filters, policies, deployment selectors. Pure; no
 * I/O.
 */
@NullMarked
package dev.signalbox.core.routing;

import org.jspecify.annotations.NullMarked;
