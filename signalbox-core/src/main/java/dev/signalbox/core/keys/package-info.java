/**
 * Virtual keys: gateway keys made, changed, rotated and revoked through the admin API rather than
 * written in the config, each with its tenant, team, routes, limits and expiry, kept (as SHA-256
 * digests, never the secret) in an embedded store.
 */
@NullMarked
package dev.signalbox.core.keys;

import org.jspecify.annotations.NullMarked;
