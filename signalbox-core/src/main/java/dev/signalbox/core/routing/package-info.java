/**
 * From a request to a plan: signals, eligibility filters, policies, deployment selectors. Pure; no
 * I/O.
 */
package dev.signalbox.core.routing;
