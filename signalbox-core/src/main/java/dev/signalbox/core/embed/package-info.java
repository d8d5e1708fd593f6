/**
 * Sentence embeddings in process: the MiniLM encoder, a micro-batcher, the content-hash cache and
 * the file that keeps vectors between runs.
 */
@NullMarked
package dev.signalbox.core.embed;

import org.jspecify.annotations.NullMarked;
