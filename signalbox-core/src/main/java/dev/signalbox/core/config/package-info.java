/**
 * The gateway's YAML config: records, the reader that validates it and reports every problem at
 * once.
 */
package dev.signalbox.core.config;
