/** The network event loops the process's servers and clients share. */
package dev.signalbox.core.net;
