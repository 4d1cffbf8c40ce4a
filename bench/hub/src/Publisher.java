import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;

/**
 * The provider app: one WebSocket to its sidecar, publishes "echo" (method "say") and answers every invoke with
 * its arguments. usage: Publisher hubPort
 */
public final class Publisher {
  static WebSocketClient client; // held: Vert.x closes unreferenced clients

  public static void main(String[] a) {
    int port = Integer.parseInt(a[0]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    client = vertx.createWebSocketClient();
    client.connect(port, "127.0.0.1", "/v1/connect").onSuccess(ws -> {
      ws.textMessageHandler(text -> {
        JsonObject f = new JsonObject(text);
        switch (f.getString("op")) {
          case "invoke" -> ws.writeTextMessage("{\"op\":\"result\",\"id\":\"" + f.getString("id") + "\",\"result\":"
              + f.getJsonArray("args").encode() + "}");
          case "published" -> System.out.println("READY");
          default -> System.err.println("frame: " + text);
        }
      });
      ws.closeHandler(v -> System.exit(0));
      ws.writeTextMessage("{\"op\":\"publish\",\"object\":\"echo\",\"methods\":[\"say\"]}");
    }).onFailure(t -> {
      t.printStackTrace();
      System.exit(1);
    });
  }
}
