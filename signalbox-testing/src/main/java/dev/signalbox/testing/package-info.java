/**
 * Test doubles for Signalbox and for users' own tests: a manual clock, scripted upstreams,
 * recorders.
 */
@NullMarked
package dev.signalbox.testing;

import org.jspecify.annotations.NullMarked;
