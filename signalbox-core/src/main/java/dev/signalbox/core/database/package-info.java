/** The PostgreSQL database that replicas share: connection pools for its stores. */
@NullMarked
package dev.signalbox.core.database;

import org.jspecify.annotations.NullMarked;
