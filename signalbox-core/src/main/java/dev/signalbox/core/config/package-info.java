/**
 * The gateway's YAML config: records, the reader that validates it and reports every problem at
 * once.
 */
@NullMarked
package dev.signalbox.core.config;

import org.jspecify.annotations.NullMarked;
