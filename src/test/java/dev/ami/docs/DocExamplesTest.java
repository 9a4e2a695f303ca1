package dev.ami.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ami.config.ConfigException;
import dev.ami.docs.DocExamples.Example;
import dev.ami.docs.DocExamples.Kind;
import dev.ami.docs.ExampleCheck.Invocation;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** ExamplesTest's finder and checks on small texts with broken examples: each check can fail. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DocExamplesTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterAll
  void close() {
    vertx.close();
  }

  private static List<Example> find(String markdown) {
    return DocExamples.find("t.md", markdown, ExampleCheck.commands(), ExamplesTest.sections());
  }

  private static Invocation only(String markdown) {
    List<Example> found = find(markdown);
    assertThat(found).hasSize(1);
    List<List<String>> variants = DocExamples.variants(found.get(0).args());
    assertThat(variants).hasSize(1);
    return ExampleCheck.invocation(found.get(0), variants.get(0), ExamplesTest.ROOT);
  }

  @Test
  @DisplayName("a command line naming a key that does not exist fails the names check and the load")
  void unknownKey() {
    Invocation i = only("Run it:\n\n```\njava -jar target/ami.jar vae.nonexistent=1\n```\n");
    assertThat(i.args()).containsExactly("run", "vae.nonexistent=1");
    assertThatThrownBy(() -> ExampleCheck.assertNamesExist(i.example().args())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("vae.nonexistent");
    assertThatThrownBy(() -> ExampleCheck.parseAndLoad(i, vertx)).isInstanceOf(ConfigException.class);
  }

  @Test
  @DisplayName("a value its key does not take fails the load, in a command line and in the prose")
  void badValue() {
    Invocation i = only("| `java -jar target/ami.jar agent.hz=0` | too slow |\n");
    assertThatCode(() -> ExampleCheck.assertNamesExist(i.example().args())).doesNotThrowAnyException();
    assertThatThrownBy(() -> ExampleCheck.parseAndLoad(i, vertx)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("agent.hz");
    List<Example> prose = find("Set `agent.hz=fast` for speed.\n");
    assertThat(prose).singleElement().extracting(Example::kind).isEqualTo(Kind.VALUES);
    assertThatThrownBy(() -> ExampleCheck.assertValuesFit(prose.get(0))).isInstanceOf(ConfigException.class);
  }

  @Test
  @DisplayName("an option the command does not have fails the names check and picocli's parse")
  void unknownOption() {
    Invocation i = only("`java -jar target/ami.jar bench --no-such-option 3`\n");
    assertThatThrownBy(() -> ExampleCheck.assertNamesExist(i.example().args())).hasMessageContaining("--no-such-option");
    assertThatThrownBy(() -> ExampleCheck.parseAndLoad(i, vertx)).isInstanceOf(CommandLine.ParameterException.class);
  }

  @Test
  @DisplayName("a mistyped command fails as Main.execute fails it")
  void unknownCommand() {
    List<Example> found = find("```\njava -jar target/ami.jar bnech --seconds 60   # the bench\n```\n");
    assertThat(found).singleElement().extracting(Example::args).isEqualTo(List.of("bnech", "--seconds", "60"));
    assertThatThrownBy(() -> ExampleCheck.assertNamesExist(found.get(0).args())).hasMessageContaining("bnech");
  }

  @Test
  @DisplayName("a placeholder is left out with its option; the option and the key it is the value of must still exist")
  void placeholders() {
    Invocation i = only("`java -jar target/ami.jar bench-explore --minutes 20 --seed S model.preset=NAME sim.map=rooms`");
    assertThat(i.args()).containsExactly("bench-explore", "--minutes", "20", "sim.map=rooms");
    assertThat(i.skipped()).containsExactly("--seed", "S", "model.preset=NAME");
    Invocation typo = only("`java -jar target/ami.jar bench-explore --sed S modle.preset=NAME`");
    assertThatThrownBy(() -> ExampleCheck.assertNamesExist(typo.example().args())).hasMessageContaining("--sed");
    Invocation key = only("`java -jar target/ami.jar models modle.preset=NAME`");
    assertThatThrownBy(() -> ExampleCheck.assertNamesExist(key.example().args())).hasMessageContaining("modle.preset");
  }

  @Test
  @DisplayName("optional parts are given, each alternative is a command line, a continued line is one line")
  void variants() {
    List<Example> found = find("| `java -jar target/ami.jar bench-train --model vae\\|fd [--steps 5]` | x |\n\n"
        + "```\njava -Xms1g -jar ami.jar run --cluster \\\n    --tls certs/agent env=vrchat   # machine A\n```\n");
    assertThat(found).hasSize(2);
    assertThat(DocExamples.variants(found.get(0).args())).containsExactly(
        List.of("bench-train", "--model", "vae", "--steps", "5"), List.of("bench-train", "--model", "fd", "--steps", "5"));
    assertThat(found.get(1).jvm()).containsExactly("-Xms1g");
    assertThat(found.get(1).args()).containsExactly("run", "--cluster", "--tls", "certs/agent", "env=vrchat");
    assertThat(found.get(1).where()).isEqualTo("t.md:4");
  }

  @Test
  @DisplayName("a help's example with a key that does not exist fails, and so does a key its text names (after an apostrophe too)")
  void help() {
    List<Example> found = DocExamples.fromHelp("run", "each trainer's step; overrides, e.g. agent.hz=20 vae.nonexistent=2");
    assertThat(found).singleElement().extracting(Example::args)
        .isEqualTo(List.of("run", "agent.hz=20", "vae.nonexistent=2"));
    Invocation i = ExampleCheck.invocation(found.get(0), found.get(0).args(), ExamplesTest.ROOT);
    assertThatThrownBy(() -> ExampleCheck.parseAndLoad(i, vertx)).isInstanceOf(ConfigException.class);
    assertThat(DocExamples.keyNames("the agent's runs under system.runs_dir, see agent.eval_actions; docs/clustering.md",
        ExamplesTest.sections())).containsExactly("agent.eval_actions", "system.runs_dir");
  }

  @Test
  @DisplayName("a run without a checkpoint has no ticks to show: the run check fails")
  void noTicks(@TempDir Path runs) throws Exception {
    assertThatThrownBy(() -> ExamplesTest.ticks(runs)).isInstanceOf(AssertionError.class);
    Path state = Files.createDirectories(runs.resolve("20261208-000000/states/000001-x.state"));
    Files.writeString(state.resolve("agent.json"), "{\"ticks\":0}");
    assertThat(ExamplesTest.ticks(runs)).isZero();
  }
}
