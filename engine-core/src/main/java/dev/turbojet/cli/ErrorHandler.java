package dev.turbojet.cli;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.ops.BackendUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;

/**
 * Turns an exception from a subcommand into one line on stderr ("turbojet inspect: error: ...") and
 * exit code 1; with {@code --verbose} the full stack trace instead. Problems with the user's input
 * (checkpoints, files, arguments) print their message; anything else also names its exception type.
 * A command line that does not parse (an unknown option, {@code --steps abc}, no prompt) is one line
 * too, pointing at {@code --help} instead of printing the usage, with exit code 2. Running out of Java
 * heap says what to change.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {
    static final int EXIT_ERROR = 1;
    static final int EXIT_USAGE = 2;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        if (verbose(parseResult)) {
            ex.printStackTrace(cmd.getErr());
        } else {
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": error: " + oneLine(ex));
        }
        cmd.getErr().flush();
        return EXIT_ERROR;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage().strip().replace("\n", "; ");
        String suggestion = ex instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()
                ? " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)" : "";
        cmd.getErr().println(name + ": error: " + message + suggestion + "; see '" + name + " --help'");
        cmd.getErr().flush();
        return EXIT_USAGE;
    }

    /** Running out of heap inside a subcommand: {@link #outOfMemory} on stderr (the stack trace with --verbose). */
    int handleOutOfMemory(OutOfMemoryError e, ParseResult parsed) {
        ParseResult last = parsed;
        while (last.subcommand() != null) last = last.subcommand();
        CommandLine cmd = last.commandSpec().commandLine();
        if (verbose(parsed)) e.printStackTrace(cmd.getErr());
        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": error: " + outOfMemory(e, Runtime.getRuntime().maxMemory()));
        cmd.getErr().flush();
        return EXIT_ERROR;
    }

    /**
     * The line for running out of Java heap: how much there was and what to change. {@code maxHeap}
     * is {@link Runtime#maxMemory()}.
     */
    static String outOfMemory(OutOfMemoryError e, long maxHeap) {
        String what = e.getMessage() == null || e.getMessage().isBlank() ? "" : " (" + e.getMessage() + ")";
        return "out of Java heap" + what + " with a maximum of " + (maxHeap >> 20) + " MiB: give it more with"
                + " TURBOJET_JAVA_OPTS=-Xmx<size> (for example -Xmx24g), or ask for less: a smaller --width/--height or"
                + " --batch, or the fp16 weights (--variant fp16)";
    }

    static String oneLine(Throwable ex) {
        Throwable t = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        boolean expected = t instanceof CheckpointException || t instanceof IOException || t instanceof IllegalArgumentException
                || t instanceof BackendUnavailableException;
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof FileSystemException) {
            msg = t.getClass().getSimpleName() + ": " + msg;              // NoSuchFileException: /path
        }
        String line = expected ? msg : t.getClass().getName() + ": " + msg + " (run with --verbose for the stack trace)";
        return line;
    }

    private static boolean verbose(ParseResult result) {
        for (ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--verbose")) return true;
        }
        return false;
    }
}
