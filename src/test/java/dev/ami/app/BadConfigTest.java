package dev.ami.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad configuration exits with code 2 and a message naming the key and what is allowed; nothing starts. */
class BadConfigTest {

  @Test
  @DisplayName("an unknown key exits 2 and names the key and its known neighbours")
  void unknownKey() {
    Result r = run("agent.hzz=20");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("unknown key 'agent.hzz'").contains("agent.hz");
  }

  @Test
  @DisplayName("run's options work without the word run: --name and --eval reach run, which says what is missing")
  void runOptionsWithoutCommand() {
    Result r = run("--name", "a", "--eval");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("run --eval needs --resume").doesNotContain("Unknown option");
  }

  @Test
  @DisplayName("an out-of-range value exits 2 and says what is allowed")
  void outOfRange() {
    Result r = run("agent.hz=0");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("agent.hz").contains("[1, 1000]");
  }

  @Test
  @DisplayName("a value of the wrong type exits 2")
  void wrongType() {
    Result r = run("vae.lr=fast");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("vae.lr").contains("a number");
  }

  @Test
  @DisplayName("malformed YAML exits 2 and names the file")
  void malformedYaml(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "agent:\n  hz: [10\n");
    Result r = run("--config", file.toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("malformed config").contains("bad.yaml");
  }

  @Test
  @DisplayName("an unknown key inside a YAML file exits 2")
  void unknownYamlKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("typo.yaml");
    Files.writeString(file, "vae:\n  batchsize: 64\n");
    Result r = run("--config", file.toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("unknown key 'vae.batchsize'").contains("vae.batch");
  }

  @Test
  @DisplayName("a missing config file exits 2")
  void missingFile(@TempDir Path dir) {
    Result r = run("--config", dir.resolve("nope.yaml").toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("config file not found");
  }

  @Test
  @DisplayName("an override without '=' exits 2")
  void notAnOverride() {
    Result r = run("agent.hz");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("not of the form key.path=value");
  }

  @Test
  @DisplayName("a spin-wait longer than a quarter of the tick period is refused (it would starve the event loops)")
  void spinAgainstPeriod() {
    Result r = run("agent.hz=1000", "agent.spin_ms=2");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("agent.spin_ms").contains("quarter of the tick period");
  }

  @Test
  @DisplayName("a mistyped command exits 2 and lists the commands")
  void unknownCommand() {
    Result r = run("bnech");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("unknown command 'bnech'; did you mean 'bench'?").contains("run");
  }

  @Test
  @DisplayName("a word like no command exits 2 without a suggestion, and is not taken for run")
  void unknownCommandWithoutSuggestion() {
    Result r = run("zzz");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("unknown command 'zzz'").doesNotContain("did you mean").contains("bench-train");
  }

  @Test
  @DisplayName("keys that contradict each other exit 2")
  void crossCheck() {
    Result r = run("model.preset=autoencoder", "model.input_size=60");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("multiple of 8");
  }

  @Test
  @DisplayName("models over the memory budget: run and models exit 2 naming the budget and the biggest consumers")
  void overTheMemoryBudget() {
    for (String cmd : new String[] {"run", "models"}) {
      Result r = run(cmd, "model.preset=curiosity-small", "env=noise", "console.port=0",
          "checkpoint.on_shutdown=false", "system.memory_budget_mb=100");
      assertThat(r.code).as(cmd).isEqualTo(2);
      assertThat(r.err).as(cmd).contains("memory budget of 100 MiB").contains("biggest:");
    }
  }

  private record Result(int code, String err) {
  }

  private static Result run(String... args) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      int code = Main.execute(args);
      return new Result(code, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(original);
    }
  }
}
