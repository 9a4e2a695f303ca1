package dev.ami.docs;

import dev.ami.app.Main;
import dev.ami.config.AmiConfig;
import dev.ami.config.Schema;
import dev.ami.runtime.ConfigOptions;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** What an example must survive: its names exist, picocli parses it, and the real config loader loads it. */
final class ExampleCheck {
  private ExampleCheck() {
  }

  static final Set<String> TOP_LEVEL = Set.of("-h", "--help", "-V", "--version");

  /** Main's command line, to look names up in (each parse gets a fresh one). */
  private static final CommandLine NAMES = new CommandLine(new Main());

  /** The launcher's commands. */
  static Set<String> commands() {
    return NAMES.getSubcommands().keySet();
  }

  /**
   * One command line of an example as the launcher gets it: {@code args} with the command first (Main's rule:
   * none means {@code run}) and without the placeholders, which {@code skipped} lists.
   */
  record Invocation(DocExamples.Example example, List<String> written, List<String> args, List<String> skipped) {
    @Override
    public String toString() {
      return example.where() + ": " + String.join(" ", args) + (skipped.isEmpty() ? "" : "  (without " + skipped + ")");
    }
  }

  /** Main.execute's rule: a first word that is no command and no option or override means {@code run}. */
  static List<String> withCommand(List<String> args) {
    Set<String> commands = commands();
    if (!args.isEmpty() && (commands.contains(args.get(0)) || TOP_LEVEL.contains(args.get(0)))) {
      return args;
    }
    if (!args.isEmpty() && !args.get(0).startsWith("-") && !args.get(0).contains("=") && !args.get(0).contains(".")) {
      throw new AssertionError("'" + args.get(0) + "' is no command; commands: " + commands);
    }
    List<String> out = new ArrayList<>(List.of("run"));
    out.addAll(args);
    return out;
  }

  /** The spec of the command a command line (command first) runs. */
  static CommandSpec spec(List<String> args) {
    CommandLine sub = args.isEmpty() || TOP_LEVEL.contains(args.get(0)) ? NAMES : NAMES.getSubcommands().get(args.get(0));
    return sub.getCommandSpec();
  }

  /** Whether the command takes key.path=value overrides (it has the {@link ConfigOptions} mixin). */
  static boolean takesOverrides(CommandSpec spec) {
    return spec.mixins().values().stream().anyMatch(m -> m.userObject() instanceof ConfigOptions);
  }

  /**
   * Throws unless every name in the command line exists: its command, each {@code --option} of that command, each
   * key of a key.path=value (placeholders included: {@code model.preset=NAME} still names a key).
   */
  static void assertNamesExist(List<String> variant) {
    List<String> args = withCommand(variant);
    CommandSpec spec = spec(args);
    for (String w : args.subList(1, args.size())) {
      if (w.startsWith("-") && w.length() > 1 && !Character.isDigit(w.charAt(1))) {
        String name = w.contains("=") ? w.substring(0, w.indexOf('=')) : w;
        if (spec.findOption(name) == null) {
          throw new AssertionError("'" + args.get(0) + "' has no option " + name + "; it has "
              + spec.options().stream().map(OptionSpec::longestName).toList());
        }
      } else if (takesOverrides(spec)) {
        Matcher kv = DocExamples.KEY_VALUE.matcher(w);
        if (kv.matches()) {
          Schema.require(kv.group(1));
        }
      }
    }
  }

  /**
   * The invocation of one variant (see {@link DocExamples#variants}): the command first, the placeholders
   * ({@link DocExamples#isPlaceholder}) left out with the option or key they are the value of, and a
   * {@code --config FILE} that the repository does not have (the reader's own file, as {@code my.yaml}) left out so
   * that the repository's conf/ami.yaml stands in for it.
   */
  static Invocation invocation(DocExamples.Example example, List<String> variant, Path root) {
    List<String> args = withCommand(variant);
    CommandSpec spec = spec(args);
    List<String> kept = new ArrayList<>(List.of(args.get(0)));
    List<String> skipped = new ArrayList<>();
    for (int i = 1; i < args.size(); i++) {
      String w = args.get(i);
      OptionSpec option = w.startsWith("--") && !w.contains("=") ? spec.findOption(w) : null;
      if (option != null && option.arity().max() > 0 && i + 1 < args.size()) {
        String value = args.get(++i);
        if (DocExamples.isPlaceholder(value) || w.equals("--config") && !Files.exists(root.resolve(value))) {
          skipped.addAll(List.of(w, value));
        } else {
          kept.addAll(List.of(w, value));
        }
      } else if (DocExamples.isPlaceholder(w) || w.contains("=") && DocExamples.isPlaceholder(w.substring(w.indexOf('=') + 1))) {
        skipped.add(w);
      } else {
        kept.add(w);
      }
    }
    return new Invocation(example, args, List.copyOf(kept), List.copyOf(skipped));
  }

  /** What became of an invocation that threw nothing. */
  enum Outcome { LOADED, PARSED, INCOMPLETE }

  /**
   * Parses the invocation against Main's command line without running it (picocli throws on an unknown option, a
   * missing value, a value of the wrong type), then loads the command's configuration with the real loader
   * ({@link ConfigOptions#load}: conf/ami.yaml or --config, the presets, the overrides; throws a ConfigException).
   * PARSED: a command without a configuration (world, console, cluster-init, bench-io) or bench-explore --plot (its
   * words are result files). INCOMPLETE: a required option is missing from a part of a command line ({@code run
   * --resume} in the prose, {@code export agent.hz=20} in export's help) or with a placeholder left out
   * ({@code export --resume latest --out DIR}); a whole command line as written misses none.
   */
  static Outcome parseAndLoad(Invocation invocation, Vertx vertx) throws InterruptedException {
    CommandLine.ParseResult parsed;
    try {
      parsed = new CommandLine(new Main()).parseArgs(invocation.args().toArray(String[]::new));
    } catch (CommandLine.MissingParameterException e) {
      if (invocation.example().kind() == DocExamples.Kind.MENTION || !invocation.skipped().isEmpty()) {
        return Outcome.INCOMPLETE;
      }
      throw e;
    }
    CommandLine.ParseResult command = parsed.subcommand() == null ? parsed : parsed.subcommand();
    if (command.hasMatchedOption("--plot")) {
      return Outcome.PARSED;
    }
    for (CommandSpec mixin : command.commandSpec().mixins().values()) {
      if (mixin.userObject() instanceof ConfigOptions options) {
        options.load(vertx, List.of());
        return Outcome.LOADED;
      }
    }
    return Outcome.PARSED;
  }

  /** A value example: each key.path=value word as the loader takes an override (the key exists, the value fits). */
  static void assertValuesFit(DocExamples.Example example) {
    AmiConfig config = AmiConfig.defaults();
    for (String w : example.args()) {
      Matcher kv = DocExamples.KEY_VALUE.matcher(w);
      if (!kv.matches()) {
        throw new AssertionError(w + " is not key.path=value");
      }
      Schema.require(kv.group(1));
      if (!DocExamples.isPlaceholder(kv.group(2))) {
        config = config.withOverride(kv.group(1), kv.group(2));
      }
    }
  }
}
