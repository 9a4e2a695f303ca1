package dev.ami.console;

import dev.ami.console.ConsoleRequest.Topic;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code /ws} endpoint: one {@link ClientSession} per socket, requests in, replies and pushes out. */
final class WebSocketEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketEndpoint.class);
  /** Most clients at once; each holds a little memory and a share of the pushes. */
  static final int MAX_CLIENTS = 16;
  private static final int RECENT_EVENTS = 50;

  private final CommandRelay relay;
  private final Supplier<String> state;
  private final Runnable subscriptionsChanged;
  private final Supplier<JsonObject> history;
  private final Map<ServerWebSocket, ClientSession> sessions = new LinkedHashMap<>();
  private final Deque<String> recentEvents = new ArrayDeque<>();
  private long dropped;

  WebSocketEndpoint(CommandRelay relay, Supplier<String> state, Runnable subscriptionsChanged,
                    Supplier<JsonObject> history) {
    this.relay = relay;
    this.state = state;
    this.subscriptionsChanged = subscriptionsChanged;
    this.history = history;
  }

  boolean full() {
    return sessions.size() >= MAX_CLIENTS;
  }

  void accept(ServerWebSocket ws) {
    ClientSession session = new ClientSession(new ClientSession.Outbox() {
      @Override
      public boolean full() {
        return ws.isClosed() || ws.writeQueueFull(); // a closing socket takes nothing more
      }

      @Override
      public void send(String text) {
        ws.writeTextMessage(text);
      }

      @Override
      public void holdRequests() {
        ws.pause();
        ws.drainHandler(v -> ws.resume());
      }
    });
    sessions.put(ws, session);
    ws.textMessageHandler(text -> onRequest(ws, session, text));
    ws.binaryMessageHandler(b -> session.reply(Protocol.error(null, state.get(),
        "binary messages are not part of the protocol: send JSON text").encode()));
    ws.exceptionHandler(e -> LOG.debug("console client error: {}", e.toString()));
    ws.closeHandler(v -> {
      dropped += removed(ws);
      subscriptionsChanged.run();
    });
  }

  private long removed(ServerWebSocket ws) {
    ClientSession s = sessions.remove(ws);
    return s == null ? 0 : s.dropped();
  }

  private void onRequest(ServerWebSocket ws, ClientSession session, String text) {
    int bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (bytes > Protocol.MAX_REQUEST_BYTES) {
      session.reply(Protocol.error(null, state.get(), "message too big: " + bytes + " bytes, the limit is "
          + Protocol.MAX_REQUEST_BYTES).encode());
      ws.close((short) 1009, "message too big");
      return;
    }
    ConsoleRequest req;
    try {
      req = Protocol.parse(text);
    } catch (ProtocolException e) {
      session.reply(Protocol.error(e.id(), state.get(), e.getMessage()).encode());
      return;
    }
    if (!req.isControl()) {
      session.subscribe(req.topics());
      subscriptionsChanged.run();
      session.reply(Protocol.subscribed(req.id(), state.get(), req.topics()).encode());
      if (req.topics().contains(Topic.EVENTS)) {
        recentEvents.forEach(session::push);
      }
      if (req.topics().contains(Topic.HISTORY)) {
        session.push(history.get().encode()); // the whole run so far; history_point messages follow
      }
      return;
    }
    relay.execute(req).onSuccess(reply -> session.reply(reply.encode()));
  }

  boolean anyWants(Topic topic) {
    for (ClientSession s : sessions.values()) {
      if (s.wants(topic)) {
        return true;
      }
    }
    return false;
  }

  /** Pushes one message to every client subscribed to {@code topic} that is keeping up. */
  void broadcast(Topic topic, JsonObject message) {
    String text = message.encode();
    if (topic == Topic.EVENTS) {
      recentEvents.addLast(text);
      if (recentEvents.size() > RECENT_EVENTS) {
        recentEvents.removeFirst();
      }
    }
    for (ClientSession s : sessions.values()) {
      if (s.wants(topic)) {
        s.push(text);
      }
    }
  }

  int clients() {
    return sessions.size();
  }

  /** Pushes dropped so far because a client was behind (closed clients included). */
  long dropped() {
    long total = dropped;
    for (ClientSession s : sessions.values()) {
      total += s.dropped();
    }
    return total;
  }
}
