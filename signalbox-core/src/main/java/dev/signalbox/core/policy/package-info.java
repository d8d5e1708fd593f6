/**
 * The policy plug-in seam: a provider per policy (name, spec, factory, execution, eval knob), found
 * by ServiceLoader, and what policies are built with.
 */
@NullMarked
package dev.signalbox.core.policy;

import org.jspecify.annotations.NullMarked;
