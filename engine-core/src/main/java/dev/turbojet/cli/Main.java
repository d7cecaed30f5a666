package dev.turbojet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code turbojet} command: lists the subcommands; each lives in its own class. */
@Command(name = "turbojet",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersion.class,
        description = "SDXL Turbo text-to-image inference in pure Java.",
        subcommands = {GenerateCommand.class, ServeCommand.class, InspectCommand.class, VerifyCommand.class, ProfileCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Examples:", "  turbojet generate a photo of a cat --seed 42", "  turbojet serve --port 7860", "  turbojet inspect stabilityai/sdxl-turbo", "  turbojet help generate"})
public final class Main implements Runnable {
    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "On error, print the full stack trace, not just one line.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a subcommand");
    }

    /** The command line with turbojet's error handling, for {@link #main} and for tests. */
    public static CommandLine commandLine() {
        ErrorHandler errors = new ErrorHandler();
        CommandLine.IExecutionStrategy run = new CommandLine.RunLast();
        return new CommandLine(new Main())
                .setUsageHelpWidth(100)
                .setUsageHelpAutoWidth(true)                       // or the terminal's width, where there is one
                .setUsageHelpLongOptionsMaxWidth(30)
                .setExecutionExceptionHandler(errors)
                .setParameterExceptionHandler(errors)
                .setExecutionStrategy(parsed -> {
                    try {
                        return run.execute(parsed);
                    } catch (OutOfMemoryError e) {
                        return errors.handleOutOfMemory(e, parsed);
                    }
                });
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
