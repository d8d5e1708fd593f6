/**
 * Who may spend what: the scopes a request falls in (its key, the key's team and tenant, its end
 * user), each scope's limits (requests and tokens per minute, requests at once, a USD budget per
 * period), and the state that admits a request on all of its scopes at once or refuses it naming
 * the scope, then settles what it really used.
 */
@NullMarked
package dev.signalbox.core.limits;

import org.jspecify.annotations.NullMarked;
