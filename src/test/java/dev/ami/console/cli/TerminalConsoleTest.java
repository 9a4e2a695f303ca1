package dev.ami.console.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.console.FakeSystemAccess;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("terminal console")
class TerminalConsoleTest {
  @Test
  @DisplayName("input lines map to commands; anything else gets a one-line hint")
  void parse() {
    assertThat(TerminalConsole.parse("p")).isEqualTo(new TerminalConsole.Input.Send("pause", 0));
    assertThat(TerminalConsole.parse(" Resume ")).isEqualTo(new TerminalConsole.Input.Send("resume", 0));
    assertThat(TerminalConsole.parse("step 5")).isEqualTo(new TerminalConsole.Input.Send("step", 5));
    assertThat(TerminalConsole.parse("shutdown")).isEqualTo(new TerminalConsole.Input.Confirm("shutdown"));
    assertThat(TerminalConsole.parse("q")).isInstanceOf(TerminalConsole.Input.Quit.class);
    assertThat(TerminalConsole.parse("models")).isInstanceOf(TerminalConsole.Input.Models.class);
    assertThat(TerminalConsole.parse("")).isInstanceOf(TerminalConsole.Input.Nothing.class);
    for (String bad : new String[] {"step", "step 0", "step x", "dance", "pause now"}) {
      assertThat(TerminalConsole.parse(bad)).isInstanceOf(TerminalConsole.Input.Hint.class);
    }
  }

  @Test
  @DisplayName("models: a line per model with loss, steps/s and versions, then the reward, the policy and coverage")
  void models() {
    dev.ami.console.TelemetryAggregator a = new dev.ami.console.TelemetryAggregator(Map.of("vae", 2048));
    long wall = 1_700_000_000_000L;
    float[] probs = {0.2f, 0.3f, 0.5f, 1, 0, 0, 0, 0, 1, 0.25f, 0.75f, 0.5f, 0.5f};
    a.onTick(new dev.ami.bus.TickRecord(9, 0.1, 4, 3, Map.of("vae", new dev.ami.bus.ModelTick(4, 6, 1, Double.NaN,
        Double.NaN)), 0.4321, probs, 0, 0, wall, false, null), 0);
    a.onTrain(new dev.ami.bus.TrainRecord("vae", 120, 40, 0.0123456, 6, 512, 0, wall));
    a.onWorld(new dev.ami.bus.WorldRecord("rooms", 42, 17, 1293, 3, 9, 0, 0, wall));
    String text = TerminalConsole.describeModels(a.snapshot(wall + 10, new dev.ami.console.TelemetryAggregator
        .MemoryReading(1, 1.5, 2, 2.5, 3)));
    assertThat(text).contains("vae", "0.01235", "120", "v6", "v4").contains("reward: last 0.4321")
        .contains("vertical 0.20/0.30/0.50").contains("explored: 42 of 1293 cells, 17 in the last minute");
  }

  @Test
  @DisplayName("the page's address works as --url too: http(s) becomes ws(s) on /ws")
  void pageUrl() {
    assertThat(ConsoleClient.webSocketUrl("http://127.0.0.1:8391/")).isEqualTo("ws://127.0.0.1:8391/ws");
    assertThat(ConsoleClient.webSocketUrl("https://box:8391")).isEqualTo("wss://box:8391/ws");
    assertThat(ConsoleClient.webSocketUrl("ws://127.0.0.1:8391/ws?token=t")).isEqualTo("ws://127.0.0.1:8391/ws?token=t");
  }

  @Test
  @DisplayName("a session: the prompt shows the state, commands answer, shutdown asks first")
  void session() throws Exception {
    try (FakeSystemAccess system = new FakeSystemAccess()) {
      int port = system.start(Map.of());
      StringWriter text = new StringWriter();
      String input = String.join("\n", "status", "p", "step 2", "dance", "shutdown", "n", "help", "q", "");
      try (ConsoleClient client = ConsoleClient.connect(system.vertx(), "ws://127.0.0.1:" + port + "/ws", null)) {
        int code = new TerminalConsole(new BufferedReader(new StringReader(input)), new PrintWriter(text, true),
            client).run();
        assertThat(code).isZero();
      }
      String out = text.toString();
      assertThat(out).contains("ami (running) > ", "ok: paused", "ami (paused) > ", "ok: stepping",
          "unknown command 'dance'", "really shutdown", "not sent", "step N, s N");
    }
  }
}
