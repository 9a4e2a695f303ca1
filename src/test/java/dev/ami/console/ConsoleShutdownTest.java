package dev.ami.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Addresses;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@RuntimeTest
class ConsoleShutdownTest {

  @Test
  @DisplayName("shutdown over the WebSocket answers stopping, then the whole runtime stops")
  void shutdownStopsTheRuntime() throws Exception {
    TestRuntime rt = TestRuntime.start(Map.of());
    int port = (Integer) rt.vertx().sharedData().getLocalMap(Addresses.CONSOLE_MAP).get("port");
    try (TestSocket socket = TestSocket.open(rt.vertx(), port)) {
      JsonObject reply = socket.request("shutdown");
      assertThat(reply.getBoolean("ok")).isTrue();
      assertThat(reply.getString("state")).isEqualTo("stopping");
      TestRuntime.await(rt.runtime().terminated());
    }
    assertThat(rt.vertx().sharedData().getLocalMap(Addresses.CONSOLE_MAP).get("port"))
        .as("the console verticle was undeployed").isNull();
    TestRuntime.await(rt.vertx().close());
  }
}
