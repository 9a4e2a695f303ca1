package dev.ami.app;

import dev.ami.console.cli.ConsoleClient;
import dev.ami.console.cli.TerminalConsole;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ami console}: an interactive prompt for a running agent, over the console's WebSocket. */
@Command(name = "console", mixinStandardHelpOptions = true,
    description = "Control a running agent from the terminal (pause, resume, step N, status, checkpoint, shutdown).")
final class ConsoleCommand implements Callable<Integer> {
  @Option(names = "--url", defaultValue = "ws://127.0.0.1:8391/ws", description = "the console's WebSocket")
  String url;

  @Option(names = "--token", defaultValue = "${env:AMI_CONSOLE_TOKEN}",
      description = "console.token of the running agent (default: $AMI_CONSOLE_TOKEN)")
  String token;

  @Option(names = "--ca", paramLabel = "FILE",
      description = "with a wss:// or https:// URL: trust the console's certificate only if this PEM CA signed it")
  String ca;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (ConsoleClient client = connect(vertx)) {
      if (client == null) {
        return 1;
      }
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
      return new TerminalConsole(in, out, client).run();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private ConsoleClient connect(Vertx vertx) {
    try {
      return ConsoleClient.connect(vertx, url, token, ca);
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      System.err.println("ami: cannot reach the console at " + url + ": " + cause.getMessage());
      return null;
    }
  }
}
