package dev.ami.console;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/** A real WebSocket client of the console for tests: blocking request/reply and push waits with time-outs. */
public final class TestSocket implements AutoCloseable {
  public static final long TIMEOUT_S = 60;

  final WebSocket ws;
  public final CompletableFuture<Short> closeStatus = new CompletableFuture<>();
  private final WebSocketClient client;
  private final LinkedBlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
  private final List<JsonObject> seen = new ArrayList<>();
  private final AtomicLong ids = new AtomicLong(1000);

  private TestSocket(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(t -> inbox.add(new JsonObject(t)));
    ws.closeHandler(v -> closeStatus.complete(ws.closeStatusCode()));
  }

  public static Future<WebSocket> connectRaw(Vertx vertx, WebSocketClientOptions clientOptions,
                                             WebSocketConnectOptions o) {
    WebSocketClient client = vertx.createWebSocketClient(clientOptions);
    return client.connect(o).onFailure(e -> client.close());
  }

  public static TestSocket open(Vertx vertx, int port) throws Exception {
    return open(vertx, new WebSocketClientOptions(), options(port));
  }

  public static WebSocketConnectOptions options(int port) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws");
  }

  public static TestSocket open(Vertx vertx, WebSocketClientOptions clientOptions, WebSocketConnectOptions o)
      throws Exception {
    WebSocketClient client = vertx.createWebSocketClient(clientOptions);
    WebSocket ws = client.connect(o).toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
    return new TestSocket(client, ws);
  }

  /** Sends the request with a fresh numeric id and waits for the reply carrying it. */
  public JsonObject request(JsonObject body) throws Exception {
    long id = ids.incrementAndGet();
    ws.writeTextMessage(body.copy().put("id", id).encode());
    return awaitMessage(m -> !m.containsKey("type") && Long.valueOf(id).equals(m.getLong("id")));
  }

  public JsonObject request(String cmd) throws Exception {
    return request(new JsonObject().put("cmd", cmd));
  }

  /** Sends raw text and waits for the next reply (a message without "type"). */
  JsonObject sendRaw(String text) throws Exception {
    ws.writeTextMessage(text);
    return awaitMessage(m -> !m.containsKey("type"));
  }

  public JsonObject awaitPush(String type, Predicate<JsonObject> condition) throws Exception {
    return awaitMessage(m -> type.equals(m.getString("type")) && condition.test(m));
  }

  /** Waits for a matching message; messages that do not match are skipped. */
  JsonObject awaitMessage(Predicate<JsonObject> condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
    while (System.nanoTime() < deadline) {
      JsonObject m = inbox.poll(200, TimeUnit.MILLISECONDS);
      if (m != null) {
        seen.add(m);
        if (condition.test(m)) {
          return m;
        }
      }
    }
    throw new AssertionError("no matching message within " + TIMEOUT_S + " s; last seen: "
        + seen.subList(Math.max(0, seen.size() - 3), seen.size()));
  }

  @Override
  public void close() {
    ws.close();
    client.close();
  }
}
