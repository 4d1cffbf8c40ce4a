package dev.procgroup.sidecar;

/** Where frames for one app connection go: the WebSocket in production, a list in unit tests. */
public interface FrameSink {
  void send(String text);

  /** Close the connection with a WebSocket status code and reason. */
  void close(short code, String reason);
}
