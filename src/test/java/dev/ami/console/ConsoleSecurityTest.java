package dev.ami.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ami.config.AmiConfig;
import dev.ami.config.ConfigException;
import dev.ami.config.ConsoleOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClientOptions;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("console binding and token")
class ConsoleSecurityTest {
  private final FakeSystem system = new FakeSystem();

  @AfterEach
  void close() throws Exception {
    system.close();
  }

  @Test
  @DisplayName("refuses to start on a non-loopback address without a token")
  void refusesOpenBinding() {
    assertThatThrownBy(() -> system.start(Map.of("console.host", "0.0.0.0")))
        .hasRootCauseInstanceOf(ConfigException.class)
        .rootCause().hasMessageContaining("console.token");
    assertThatThrownBy(() -> ConsoleOptions.from(AmiConfig.defaults().with(Map.of("console.host", "0.0.0.0")))
        .requireSafeBinding()).isInstanceOf(ConfigException.class);
  }

  @Test
  @DisplayName("with a token, every HTTP request and the WebSocket need it")
  void tokenRequired() throws Exception {
    int port = system.start(Map.of("console.host", "0.0.0.0", "console.token", "s3cret"));
    Http http = new Http(port);
    assertThat(http.get("/api/status").statusCode()).isEqualTo(401);
    assertThat(http.get("/").statusCode()).isEqualTo(401);
    assertThat(http.get("/metrics").statusCode()).isEqualTo(401);
    assertThat(http.get("/api/status", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
    assertThat(http.get("/api/status", "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
    var page = http.get("/?token=s3cret");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("set-cookie").orElse("").toLowerCase(java.util.Locale.ROOT)).contains("ami_token=s3cret", "httponly",
        "samesite=strict");
    assertThat(http.get("/api/status", "Cookie", "ami_token=s3cret").statusCode()).isEqualTo(200);

    assertThatThrownBy(() -> TestSocket.open(system.vertx, port))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(UpgradeRejectedException.class);
    try (TestSocket ws = TestSocket.open(system.vertx, new WebSocketClientOptions(),
        TestSocket.options(port).putHeader("Authorization", "Bearer s3cret"))) {
      assertThat(ws.request("status").getBoolean("ok")).isTrue();
    }
    try (TestSocket ws = TestSocket.open(system.vertx, new WebSocketClientOptions(),
        TestSocket.options(port).setURI("/ws?token=s3cret"))) {
      assertThat(ws.request("status").getBoolean("ok")).isTrue();
    }
  }

  @Test
  @DisplayName("without a token, a Host that is not loopback is refused (DNS rebinding)")
  void foreignHost() throws Exception {
    int port = system.start(Map.of());
    assertThatThrownBy(() -> TestSocket.open(system.vertx, new WebSocketClientOptions(),
        TestSocket.options(port).putHeader("Host", "attacker.example:" + port)))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(UpgradeRejectedException.class);
  }
}
