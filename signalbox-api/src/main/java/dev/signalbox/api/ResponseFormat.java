package dev.signalbox.api;

/** What shape of answer the client asked for. */
public enum ResponseFormat {
  TEXT,
  JSON_OBJECT,
  JSON_SCHEMA
}
