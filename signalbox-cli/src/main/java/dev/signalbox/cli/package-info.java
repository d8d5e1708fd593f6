/** The command line: serve, validate, traces. */
package dev.signalbox.cli;
