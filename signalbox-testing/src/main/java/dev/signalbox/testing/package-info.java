/**
 * Test doubles for Signalbox and for users' own tests: a manual clock, scripted upstreams,
 * recorders.
 */
package dev.signalbox.testing;
