package dev.procgroup.sidecar;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Collects the frames a connection was sent. */
final class RecordingSink implements FrameSink {
  final List<JsonObject> frames = new ArrayList<>();
  boolean closed;

  @Override public void send(String text) {
    frames.add(new JsonObject(text));
  }

  @Override public void close(short code, String reason) {
    closed = true;
  }

  JsonObject last() {
    return frames.get(frames.size() - 1);
  }

  List<JsonObject> ofOp(String op) {
    return frames.stream().filter(f -> op.equals(f.getString("op"))).toList();
  }
}
