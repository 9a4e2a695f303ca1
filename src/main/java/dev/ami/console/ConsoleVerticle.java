package dev.ami.console;

import dev.ami.bus.Addresses;
import dev.ami.bus.CheckpointRecord;
import dev.ami.bus.Event;
import dev.ami.bus.ExpectedFrameRecord;
import dev.ami.bus.ObservationRecord;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.PpoUpdate;
import dev.ami.bus.RedeployRecord;
import dev.ami.bus.TickRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.bus.WorldRecord;
import dev.ami.config.AgentOptions;
import dev.ami.config.AmiConfig;
import dev.ami.config.ConfigException;
import dev.ami.config.ConsoleOptions;
import dev.ami.console.ConsoleRequest.Topic;
import dev.ami.handover.Handovers;
import dev.ami.kind.AgentKinds;
import dev.ami.telemetry.IntervalSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.backends.BackendRegistries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator console: the page (webroot/), the WebSocket {@code /ws}, {@code /api/*}, {@code /metrics} and
 * {@code /health}. Runs on an event loop; talks to the rest of the system only over the bus.
 */
public final class ConsoleVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleVerticle.class);
  /** The page may show at most this many frames per second, whatever the agent shares. */
  static final long FRAME_INTERVAL_NANOS = 200_000_000L;

  private TelemetryAggregator telemetry;
  private final IntervalSummary interval = new IntervalSummary(); // event-loop confined, like the history
  private final RunHistory history = new RunHistory();
  private CommandRelay relay;
  private WebSocketEndpoint sockets;
  private AccessGuard guard;
  private boolean polling;
  private boolean encoding;
  private boolean encodingExpected;
  private long lastPollNanos = Long.MIN_VALUE / 2;
  private long lastFrameNanos = Long.MIN_VALUE;
  private ConsoleOptions options;

  @Override
  public Future<?> start() {
    AmiConfig config = AmiConfig.of(config());
    options = ConsoleOptions.from(config);
    try {
      options.requireSafeBinding();
      options.requireTlsFiles();
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    telemetry = new TelemetryAggregator(AgentKinds.of(config).bufferCapacities(config));
    relay = new CommandRelay(vertx.eventBus(), telemetry);
    sockets = new WebSocketEndpoint(relay, telemetry::state,
        () -> Handovers.of(vertx).consoleWantsFrames(sockets.anyWants(Topic.FRAMES)), history::toJson);
    vertx.setPeriodic(RunHistory.BASE_S * 1000L, t -> {
      long now = System.currentTimeMillis();
      JsonObject point = history.add(now, interval.drain(now));
      if (point != null) {
        sockets.broadcast(Topic.HISTORY, point);
      }
    });
    guard = new AccessGuard(options.token());
    listenToBus(vertx.eventBus());
    registerMeters();
    Router router = router(new HealthRules(AgentOptions.from(config).hz()));
    HttpServerOptions serverOptions = new HttpServerOptions().setHost(options.host()).setPort(options.port())
        .setMaxWebSocketFrameSize(Protocol.MAX_TRANSPORT_BYTES).setMaxWebSocketMessageSize(Protocol.MAX_TRANSPORT_BYTES)
        // no permessage-deflate: a message is as big in memory as on the wire, so the bound above holds before
        // anything is inflated (a compressed 100 KiB request used to vanish without a reply)
        .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false)
        .setSendBufferSize(64 * 1024);
    if (options.tls()) {
      serverOptions.setSsl(true).setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions()
          .setCertPath(options.tlsCert()).setKeyPath(options.tlsKey()));
    } else if (!ConsoleOptions.isLoopback(options.host())) {
      LOG.warn("the console listens on {} without TLS: its token and cookie cross the network in clear text; set "
          + "console.tls.cert and console.tls.key (docs/security.md)", options.host());
    }
    return vertx.createHttpServer(serverOptions).requestHandler(router).listen().onSuccess(server -> {
      vertx.sharedData().getLocalMap(Addresses.CONSOLE_MAP).put("port", server.actualPort());
      long period = Math.max(1, Math.round(1000 / options.telemetryHz()));
      vertx.setPeriodic(period, t -> pushTelemetry());
      LOG.info("console at {}://{}:{}/{}", options.tls() ? "https" : "http", urlHost(options.host()),
          server.actualPort(),
          guard.tokenRequired() ? " (token required)" : "");
    }).map(HttpServer::actualPort);
  }

  @Override
  public Future<?> stop() {
    vertx.sharedData().getLocalMap(Addresses.CONSOLE_MAP).remove("port");
    Handovers.of(vertx).consoleWantsFrames(false);
    return Future.succeededFuture();
  }

  private Router router(HealthRules health) {
    Router router = Router.router(vertx);
    router.route().handler(this::checkAccess);
    router.get("/ws").handler(this::upgrade);
    router.get("/metrics").handler(PrometheusScrapingHandler.create());
    router.get("/health").handler(healthHandler(health));
    new HttpApi(relay, telemetry).mount(router);
    router.route("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars").setCachingEnabled(true));
    router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    return router;
  }

  private void checkAccess(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    Cookie cookie = req.getCookie(AccessGuard.COOKIE);
    String queryToken = req.getParam("token");
    AccessGuard.Denial denial = guard.check(new AccessGuard.Credentials(req.getHeader("Host"),
        req.getHeader("Origin"), req.getHeader("Authorization"), queryToken,
        cookie == null ? null : cookie.getValue()));
    if (denial != null) {
      JsonObject body = Protocol.error(null, telemetry.state(), denial.reason());
      body.remove("id");
      ctx.response().setStatusCode(denial.status()).putHeader("content-type", "application/json")
          .end(body.encode());
      return;
    }
    if (guard.matches(queryToken)) {
      // the page's scripts, stylesheets and WebSocket then authenticate without the token in every URL
      ctx.response().addCookie(Cookie.cookie(AccessGuard.COOKIE, queryToken).setPath("/").setHttpOnly(true)
          .setSameSite(CookieSameSite.STRICT).setSecure(options.tls())); // over TLS, never sent in clear text
    }
    ctx.next();
  }

  private void upgrade(RoutingContext ctx) {
    if (sockets.full()) {
      ctx.response().setStatusCode(503).end("too many console clients");
      return;
    }
    ctx.request().toWebSocket().onSuccess(sockets::accept)
        .onFailure(e -> LOG.debug("WebSocket handshake failed: {}", e.toString()));
  }

  private HealthCheckHandler healthHandler(HealthRules rules) {
    HealthCheckHandler handler = HealthCheckHandler.create(vertx);
    handler.register("agent", 5_000, p -> relay.status()
        .onComplete(s -> p.complete(status(rules.agent(s.result(), telemetry.lastTickNanos(), System.nanoTime())))));
    handler.register("trainer", 5_000, p -> relay.status()
        .onComplete(s -> p.complete(status(rules.trainer(s.result())))));
    return handler;
  }

  private static Status status(HealthRules.Verdict v) {
    return v.ok() ? Status.OK(v.data()) : Status.KO(v.data());
  }

  private void listenToBus(EventBus bus) {
    bus.<TickRecord>localConsumer(Addresses.TELEMETRY_TICK, m -> {
      telemetry.onTick(m.body(), System.nanoTime());
      interval.tick(m.body());
    });
    bus.<TrainRecord>localConsumer(Addresses.TELEMETRY_TRAIN, m -> {
      telemetry.onTrain(m.body());
      interval.train(m.body());
    });
    bus.<PpoUpdate>localConsumer(Addresses.TELEMETRY_PPO, m -> telemetry.onPpo(m.body()));
    bus.<ParamsPublished>localConsumer(Addresses.PARAMS_PUBLISHED, m -> {
      telemetry.onPublished(m.body());
      sockets.broadcast(Topic.EVENTS, eventJson(Event.info("publish", m.body().key() + " v" + m.body().version()
          + " published (step " + m.body().trainerStep() + ")")));
    });
    bus.<Event>localConsumer(Addresses.EVENTS, m -> {
      sockets.broadcast(Topic.EVENTS, eventJson(m.body()));
      if ("step-done".equals(m.body().kind())) {
        refreshNow();
      }
    });
    bus.<ObservationRecord>localConsumer(Addresses.TELEMETRY_FRAME, m -> onFrame(m.body()));
    bus.<ExpectedFrameRecord>localConsumer(Addresses.TELEMETRY_EXPECTED, m -> onExpected(m.body()));
    bus.<WorldRecord>localConsumer(Addresses.TELEMETRY_WORLD, m -> {
      telemetry.onWorld(m.body());
      interval.world(m.body());
    });
    bus.<CheckpointRecord>localConsumer(Addresses.TELEMETRY_CHECKPOINT, m -> telemetry.onCheckpoint(m.body()));
    bus.<RedeployRecord>localConsumer(Addresses.TELEMETRY_REDEPLOY, m -> telemetry.onRedeploy(m.body()));
  }

  private void registerMeters() {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    if (registry != null) {
      registry.gauge("ami.console.clients", sockets, WebSocketEndpoint::clients);
      registry.more().counter("ami.console.pushes.dropped", java.util.List.of(), sockets,
          WebSocketEndpoint::dropped);
    }
  }

  static JsonObject eventJson(Event e) {
    return new JsonObject().put("type", "event").put("level", e.level()).put("kind", e.kind())
        .put("message", e.message()).put("t", e.wallMillis());
  }

  /** Status poll then telemetry push, at console.telemetry_hz while anyone listens. */
  private void pushTelemetry() {
    boolean wanted = sockets.anyWants(Topic.TELEMETRY);
    long now = System.nanoTime();
    // with nobody listening, poll once a second anyway so error replies and /api report the current state
    if (polling || (!wanted && now - lastPollNanos < 1_000_000_000L)) {
      return;
    }
    polling = true;
    lastPollNanos = now;
    relay.status().onComplete(s -> {
      polling = false;
      if (wanted) {
        sockets.broadcast(Topic.TELEMETRY,
            telemetry.snapshot(System.currentTimeMillis(), TelemetryAggregator.MemoryReading.now()));
      }
    });
  }

  /** After a step finishes the page should see the final tick count without waiting for the next poll. */
  private void refreshNow() {
    vertx.setTimer(1, t -> pushTelemetry());
  }

  private void onFrame(ObservationRecord r) {
    long now = System.nanoTime();
    if (encoding || !sockets.anyWants(Topic.FRAMES)
        || (lastFrameNanos != Long.MIN_VALUE && now - lastFrameNanos < FRAME_INTERVAL_NANOS)) {
      return;
    }
    lastFrameNanos = now;
    encoding = true;
    vertx.executeBlocking(() -> Thumbnails.pngDataUrl(r.chw(), r.height(), r.width()), false)
        .onComplete(png -> {
          encoding = false;
          if (png.succeeded()) {
            sockets.broadcast(Topic.FRAMES, new JsonObject().put("type", "frame").put("tick", r.tick())
                .put("image", png.result()).put("action", TelemetryAggregator.actionJson(r.action())));
          } else {
            LOG.debug("thumbnail failed: {}", png.cause().toString());
          }
        });
  }

  /** What the agent expected to see next: arrives at most at the frame rate, decoded off the tick already. */
  private void onExpected(ExpectedFrameRecord r) {
    if (encodingExpected || !sockets.anyWants(Topic.FRAMES)) {
      return;
    }
    encodingExpected = true;
    vertx.executeBlocking(() -> Thumbnails.pngDataUrl(r.chw(), r.height(), r.width()), false)
        .onComplete(png -> {
          encodingExpected = false;
          if (png.succeeded()) {
            sockets.broadcast(Topic.FRAMES, new JsonObject().put("type", "expected").put("tick", r.tick())
                .put("image", png.result()).put("decoder_version", r.decoderVersion()));
          }
        });
  }

  private static String urlHost(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }
}
