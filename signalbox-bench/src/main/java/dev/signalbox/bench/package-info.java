/**
 * Benchmarks: JMH micro-benchmarks of the routing path and the load harness that compares proxies.
 */
package dev.signalbox.bench;
