package dev.turbojet.cli;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.ops.BackendUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;

/**
 * Turns an exception from a subcommand into one line on stderr ("turbojet inspect: error: ...") and
 * exit code 1; with {@code --verbose} the full stack trace instead. Problems with the user's input
 * (checkpoints, files, arguments) print their message; anything else also names its exception type.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
    static final int EXIT_ERROR = 1;

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
