/**
 * Text as routing reads it: token counts, the part of a conversation that is embedded, language,
 * and number formatting for reasons.
 */
@NullMarked
package dev.signalbox.core.text;

import org.jspecify.annotations.NullMarked;
