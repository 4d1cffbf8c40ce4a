package dev.procgroup.sidecar;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** A blocking HTTP client for tests. */
final class Http {

  record Resp(int status, Map<String, String> headers, String body) {
    JsonObject json() {
      if (body.isEmpty()) throw new AssertionError("empty body: HTTP " + status + " " + headers);
      return new JsonObject(body);
    }

    String errorName() {
      return json().getJsonObject("error").getString("name");
    }

    String header(String name) {
      return headers.get(name.toLowerCase());
    }
  }

  private final HttpClientAgent client;

  Http(Vertx vertx) {
    this.client = vertx.createHttpClient();
  }

  Resp get(int port, String path) {
    return send(HttpMethod.GET, port, path, null, Map.of());
  }

  Resp post(int port, String path, String body) {
    return send(HttpMethod.POST, port, path, body, Map.of());
  }

  Resp send(HttpMethod method, int port, String path, String body, Map<String, String> headers) {
    RequestOptions o = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(path);
    headers.forEach(o::putHeader);
    // body() is attached in the same callback that receives the response: attached one future later, a small
    // body can already have been delivered to nobody, and the test would see an empty body.
    return Await.of(client.request(o).compose(req -> (body == null ? req.send() : req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> {
          java.util.HashMap<String, String> h = new java.util.HashMap<>();
          resp.headers().forEach(e -> h.put(e.getKey().toLowerCase(), e.getValue()));
          return new Resp(resp.statusCode(), h, b.toString());
        }))));
  }

  Resp invoke(int port, String object, String method, String args, Map<String, String> headers) {
    return send(HttpMethod.POST, port, "/v1/invoke/" + object + "/" + method, args, headers);
  }
}
