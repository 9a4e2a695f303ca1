package dev.ami.console.cli;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** A blocking client of the console's WebSocket protocol, for the terminal console (never on an event loop). */
public final class ConsoleClient implements AutoCloseable {
  private static final long TIMEOUT_S = 40; // the control point itself gives up after 30 s

  private final WebSocketClient client;
  private final WebSocket socket;
  private final Map<Long, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private volatile Consumer<JsonObject> pushes = p -> { };

  private ConsoleClient(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.textMessageHandler(this::onMessage);
    socket.closeHandler(v -> {
      closed.complete(null);
      pending.values().forEach(f -> f.complete(new JsonObject().put("ok", false).put("error", "connection closed")));
    });
  }

  /** Connects or throws with a message that says why. */
  /** The console's WebSocket for what a user may type: the page's address (http://host:port/) or the socket's. */
  static String webSocketUrl(String url) {
    java.net.URI u = java.net.URI.create(url.trim());
    String scheme = u.getScheme() == null ? "ws" : switch (u.getScheme()) {
      case "http" -> "ws";
      case "https" -> "wss";
      default -> u.getScheme();
    };
    String path = u.getPath() == null || u.getPath().isEmpty() || u.getPath().equals("/") ? "/ws" : u.getPath();
    return scheme + "://" + u.getAuthority() + path + (u.getQuery() == null ? "" : "?" + u.getQuery());
  }

  public static ConsoleClient connect(Vertx vertx, String url, String token) throws Exception {
    return connect(vertx, url, token, null);
  }

  /**
   * The same; a {@code wss://} (or {@code https://}) console is verified against the JVM's trusted roots, or only
   * against the PEM certificate authority {@code caFile} when given (a console's self-made certificate).
   */
  public static ConsoleClient connect(Vertx vertx, String url, String token, String caFile) throws Exception {
    io.vertx.core.http.WebSocketClientOptions clientOptions = new io.vertx.core.http.WebSocketClientOptions();
    if (caFile != null && !caFile.isEmpty()) {
      clientOptions.setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(caFile));
    }
    WebSocketClient client = vertx.createWebSocketClient(clientOptions);
    WebSocketConnectOptions options = new WebSocketConnectOptions().setAbsoluteURI(webSocketUrl(url))
        .setConnectTimeout(10_000);
    if (token != null && !token.isEmpty()) {
      options.putHeader("Authorization", "Bearer " + token);
    }
    try {
      WebSocket ws = client.connect(options).toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
      return new ConsoleClient(client, ws);
    } catch (Exception e) {
      client.close();
      throw e;
    }
  }

  /** Where server pushes (events, telemetry) go; called on an event loop. */
  public void onPush(Consumer<JsonObject> handler) {
    this.pushes = handler;
  }

  /** Sends a request and waits for its reply. */
  public JsonObject request(JsonObject body) throws Exception {
    long id = ids.incrementAndGet();
    CompletableFuture<JsonObject> reply = new CompletableFuture<>();
    pending.put(id, reply);
    if (closed.isDone()) {
      pending.remove(id);
      return new JsonObject().put("ok", false).put("error", "connection closed");
    }
    socket.writeTextMessage(body.copy().put("id", id).encode());
    try {
      return reply.get(TIMEOUT_S, TimeUnit.SECONDS);
    } finally {
      pending.remove(id);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  private void onMessage(String text) {
    JsonObject msg = new JsonObject(text);
    if (msg.containsKey("type")) {
      pushes.accept(msg);
      return;
    }
    Object id = msg.getValue("id");
    CompletableFuture<JsonObject> f = id instanceof Number n ? pending.get(n.longValue()) : null;
    if (f != null) {
      f.complete(msg);
    } else {
      pushes.accept(msg.put("type", "orphan-reply"));
    }
  }

  @Override
  public void close() {
    socket.close();
    client.close();
  }
}
