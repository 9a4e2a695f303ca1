package dev.ami.console;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /api/status} and {@code POST /api/<command>} for scripts: the WebSocket commands with the same
 * replies, as plain HTTP. 200 when done, 400 for bad input, 409 when the system refused, 503 when the
 * control point did not answer.
 */
final class HttpApi {
  private static final List<String> POST_COMMANDS = List.of("pause", "resume", "step", "shutdown", "checkpoint",
      "redeploy");

  private final CommandRelay relay;
  private final TelemetryAggregator telemetry;

  HttpApi(CommandRelay relay, TelemetryAggregator telemetry) {
    this.relay = relay;
    this.telemetry = telemetry;
  }

  void mount(Router router) {
    router.get("/api/status").handler(ctx -> run(ctx, new ConsoleRequest(null, "status", 0, Set.of())));
    router.post("/api/redeploy").handler(BodyHandler.create(false).setBodyLimit(Protocol.MAX_REQUEST_BYTES));
    router.post("/api/redeploy").handler(this::redeploy);
    router.post("/api/:cmd").handler(this::command);
    router.route("/api/*").handler(ctx -> send(ctx, 404, Protocol.error(null, telemetry.state(),
        "no such endpoint: GET /api/status, POST /api/{" + String.join("|", POST_COMMANDS) + "}")));
  }

  private void command(RoutingContext ctx) {
    String cmd = ctx.pathParam("cmd");
    if (!POST_COMMANDS.contains(cmd)) {
      send(ctx, 404, Protocol.error(null, telemetry.state(), "unknown command '" + cmd + "'; known: "
          + String.join(", ", POST_COMMANDS)));
      return;
    }
    int n = 0;
    if ("step".equals(cmd)) {
      try {
        n = Protocol.stepCountFromQuery(ctx.request().getParam("n"));
      } catch (ProtocolException e) {
        send(ctx, 400, Protocol.error(null, telemetry.state(), e.getMessage() + " (use POST /api/step?n=3)"));
        return;
      }
    }
    run(ctx, new ConsoleRequest(null, cmd, n, Set.of()));
  }

  /**
   * {@code POST /api/redeploy}: the WebSocket's fields as a JSON body, or {@code ?target=&preset=&from=&fresh=} for
   * the simple cases (overrides need the body).
   */
  private void redeploy(RoutingContext ctx) {
    JsonObject json;
    try {
      String body = ctx.body() == null ? "" : ctx.body().asString();
      json = body == null || body.isBlank() ? new JsonObject() : new JsonObject(body);
    } catch (RuntimeException e) {
      send(ctx, 400, Protocol.error(null, telemetry.state(), "the body must be a JSON object like "
          + "{\"target\":\"agent\",\"model\":{\"preset\":\"curiosity-small\"}}"));
      return;
    }
    var q = ctx.request().params();
    if (q.contains("target")) {
      json.put("target", q.get("target"));
    }
    if (q.contains("preset")) {
      json.put("model", json.getJsonObject("model", new JsonObject()).put("preset", q.get("preset")));
    }
    if (q.contains("from")) {
      json.put("from", q.get("from"));
    }
    if (q.contains("fresh")) {
      json.put("fresh", Boolean.parseBoolean(q.get("fresh")));
    }
    try {
      run(ctx, new ConsoleRequest(null, "redeploy", 0, Set.of(), Protocol.redeployArgs(null, json)));
    } catch (ProtocolException e) {
      send(ctx, 400, Protocol.error(null, telemetry.state(), e.getMessage()));
    }
  }

  private void run(RoutingContext ctx, ConsoleRequest req) {
    relay.execute(req).onSuccess(reply -> {
      String error = reply.getString("error");
      boolean answered = error == null || !error.startsWith(CommandRelay.NO_ANSWER);
      send(ctx, reply.getBoolean("ok") ? 200 : answered ? 409 : 503, reply);
    });
  }

  private static void send(RoutingContext ctx, int status, JsonObject body) {
    body.remove("id"); // HTTP has no request ids
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
          .putHeader("cache-control", "no-store").end(body.encode());
    }
  }
}
