package dev.ami.app;

import dev.ami.bench.BenchCommand;
import dev.ami.bench.BenchExploreCommand;
import dev.ami.bench.BenchIoCommand;
import dev.ami.bench.BenchTrainCommand;
import dev.ami.bench.SoakCommand;
import dev.ami.runtime.ExitCodes;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine;
import picocli.CommandLine.UnmatchedArgumentException;

/** {@code java -jar ami.jar [run|bench|...] [options] [key.path=value ...]}; no subcommand means run. */
@Command(name = "ami", mixinStandardHelpOptions = true, versionProvider = ManifestVersion.class,
    description = "Runs a curiosity-driven agent that keeps acting while its models train.",
    subcommands = {RunCommand.class, BenchCommand.class, BenchIoCommand.class, BenchTrainCommand.class,
        BenchExploreCommand.class, SoakCommand.class, ModelsCommand.class, ExportCommand.class,
        WorldCommand.class, ConsoleCommand.class, ClusterInitCommand.class})
public final class Main {
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code. */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Main());
    boolean hasSubcommand = args.length > 0 && cli.getSubcommands().containsKey(args[0]);
    // only help and version belong to the top level; any other option (--name, --resume, --config...) is run's
    boolean wantsTopLevel = args.length > 0 && List.of("-h", "--help", "-V", "--version").contains(args[0]);
    // a plain word that is neither a command nor a key.path=value override is most likely a mistyped command: it
    // stays at the top level, which takes no parameters, so picocli refuses it and suggests the nearest commands
    boolean plainWord = args.length > 0 && !args[0].startsWith("-") && !args[0].contains("=")
        && !args[0].contains(".");
    if (!hasSubcommand && !wantsTopLevel && !plainWord) {
      String[] withRun = new String[args.length + 1];
      withRun[0] = "run";
      System.arraycopy(args, 0, withRun, 1, args.length);
      args = withRun;
    }
    CommandLine.IParameterExceptionHandler standard = cli.getParameterExceptionHandler();
    cli.setParameterExceptionHandler((ex, given) ->
        ex instanceof UnmatchedArgumentException u && u.getCommandLine() == cli && !u.isUnknownOption()
            ? unknownCommand(u) : standard.handleParseException(ex, given));
    return cli.execute(args);
  }

  /** The refusal of a mistyped command, with picocli's closest suggestion (ordered by similarity). */
  private static int unknownCommand(UnmatchedArgumentException ex) {
    CommandLine cli = ex.getCommandLine();
    List<String> suggestions = ex.getSuggestions();
    System.err.println("ami: unknown command '" + ex.getUnmatched().get(0) + "'" + (suggestions.isEmpty() ? ""
        : "; did you mean '" + suggestions.get(0) + "'?") + " Commands: "
        + String.join(", ", cli.getSubcommands().keySet()) + " (or key.path=value overrides for run)");
    return ExitCodes.CONFIG;
  }
}
