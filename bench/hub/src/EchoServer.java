import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;

/**
 * The "direct" baseline and the app behind Dapr's daprd b: an app serving the method itself at POST /echo,
 * answering like the hub does ({"result": <args>}). usage: EchoServer port
 */
public final class EchoServer {
  public static void main(String[] a) {
    int port = Integer.parseInt(a[0]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)).requestHandler(req -> {
      if (req.method() != HttpMethod.POST || !req.path().equals("/echo")) {
        // Anything else is not ours: daprd, as this app's sidecar, asks GET /dapr/config and /dapr/subscribe.
        req.response().setStatusCode(404).end();
        return;
      }
      req.body().onSuccess(body -> {
        // Parse like a real handler would, then answer the same shape as the hub.
        Object args = io.vertx.core.json.Json.decodeValue(body);
        Buffer out = Buffer.buffer("{\"result\":").appendString(io.vertx.core.json.Json.encode(args)).appendString("}");
        req.response().putHeader("Content-Type", "application/json").end(out);
      });
    }).listen(port, "127.0.0.1").onSuccess(s -> System.out.println("READY")).onFailure(t -> {
          t.printStackTrace();
          System.exit(1);
        });
  }
}
