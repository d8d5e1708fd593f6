/**
 * Minimal proxies on each candidate HTTP stack, measured beside the gateway by {@code run-load.sh}
 * (targets {@code floor-helidon}, {@code floor-vertx}, {@code floor-netty}, {@code
 * floor-vertx-helidon}): what a proxy that parses nothing costs on each, so that the gateway's own
 * cost can be told from its stack's.
 */
@NullMarked
package dev.signalbox.bench.floor;

import org.jspecify.annotations.NullMarked;
