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
    assertThat(TerminalConsole.parse("")).isInstanceOf(TerminalConsole.Input.Nothing.class);
    for (String bad : new String[] {"step", "step 0", "step x", "dance", "pause now"}) {
      assertThat(TerminalConsole.parse(bad)).isInstanceOf(TerminalConsole.Input.Hint.class);
    }
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
