/**
 * Agent sessions: their state per route, and the pure steering that keeps a session on its model or
 * within its budget.
 */
@NullMarked
package dev.signalbox.core.session;

import org.jspecify.annotations.NullMarked;
