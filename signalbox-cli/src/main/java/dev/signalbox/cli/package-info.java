/** The command line: serve, validate, traces. */
@NullMarked
package dev.signalbox.cli;

import org.jspecify.annotations.NullMarked;
