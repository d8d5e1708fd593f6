/**
 * Benchmarks: JMH micro-benchmarks of the routing path and the load harness that compares proxies.
 */
@NullMarked
package dev.signalbox.bench;

import org.jspecify.annotations.NullMarked;
