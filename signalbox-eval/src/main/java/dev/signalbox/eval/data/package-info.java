/** Routing data sets: readers of outcomes files, RouteLLM, LLMRouter and trace stores, prices. */
@NullMarked
package dev.signalbox.eval.data;

import org.jspecify.annotations.NullMarked;
