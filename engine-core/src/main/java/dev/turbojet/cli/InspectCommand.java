package dev.turbojet.cli;

import dev.turbojet.io.ModelComponent;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.io.SafetensorsSource;
import dev.turbojet.io.ShardedSafetensors;
import dev.turbojet.io.TensorStats;
import dev.turbojet.io.TensorView;
import dev.turbojet.io.Variant;
import dev.turbojet.io.WeightFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code turbojet inspect}: what a checkpoint file or model folder holds. */
@Command(name = "inspect",
        description = {
                "Show what a checkpoint file or model folder holds.",
                "For a safetensors file (or sharded .index.json): every tensor's dtype, shape, parameters and bytes.",
                "For a diffusers model folder: per component its weight file, dtype mix, tensor count, exact",
                "parameter count and bytes. FILE_OR_FOLDER may also be a repository id in the local hub cache."},
        footer = {"", "Examples:",
                "  turbojet inspect sdxl-turbo/unet/diffusion_pytorch_model.fp16.safetensors",
                "  turbojet inspect sdxl-turbo --variant fp16",
                "  turbojet inspect stabilityai/sdxl-turbo --tensors --filter unet/down_blocks.0"},
        mixinStandardHelpOptions = true)
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE_OR_FOLDER", description = "A .safetensors file, an .index.json, a component or model folder, or a repository id.")
    String target;

    @Option(names = "--tensors", description = "For a folder, also list every tensor of every component.")
    boolean tensors;

    @Option(names = "--filter", paramLabel = "PREFIX",
            description = "Only tensors whose name (or component/name in a folder) starts with PREFIX; implies --tensors.")
    String filter;

    @Option(names = "--variant", paramLabel = "VARIANT", defaultValue = "any",
            description = "Weights to read in a folder: fp32, fp16, any (fp32, else fp16) or a preference list like fp16,fp32. Default: ${DEFAULT-VALUE}.")
    String variant;

    @Option(names = "--revision", paramLabel = "REV", description = "Branch, tag or commit of a repository id in the hub cache (default: main).")
    String revision;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Variant> preference = Variant.parsePreference(variant);
        Path path = Path.of(target);
        if (Files.isRegularFile(path)) {
            try (SafetensorsSource source = target.endsWith(".index.json") ? ShardedSafetensors.open(path) : SafetensorsFile.open(path)) {
                printFile(out, source);
            }
        } else if (Files.isDirectory(path) && !ModelFolder.isModelFolder(path)) {
            try (SafetensorsSource source = WeightFile.locate(path, preference).open()) {
                printFile(out, source);
            }
        } else {
            printFolder(out, ModelFolder.resolve(target, Optional.ofNullable(revision)), preference);
        }
        out.flush();
        return 0;
    }

    private void printFile(PrintWriter out, SafetensorsSource source) {
        out.println(source.description() + (source.files().size() > 1 ? " (" + source.files().size() + " shards)" : ""));
        for (Map.Entry<String, String> m : source.metadata().entrySet()) {
            out.println("  " + m.getKey() + " = " + abbreviate(m.getValue()));
        }
        out.println();
        TensorStats shown = printTensors(out, source, "");
        if (filter != null && shown.tensors() == 0) out.println("no tensor name starts with \"" + filter + "\"");
    }

    /** The tensor table of {@code source} (filtered), with a totals row; returns the totals. */
    private TensorStats printTensors(PrintWriter out, SafetensorsSource source, String component) {
        TextTable table = new TextTable("name", "dtype", "shape", ">parameters", ">bytes");
        TensorStats stats = TensorStats.EMPTY;
        for (String name : source.names()) {
            if (!matches(component, name)) continue;
            TensorView v = source.tensor(name);
            stats = stats.plus(v);
            table.row(name, v.dtype().name(), v.shape().toString(), TextTable.count(v.numel()), TextTable.count(v.data().byteSize()));
        }
        if (stats.tensors() == 0) return stats;
        table.rule();
        table.row("total: " + TextTable.count(stats.tensors()) + " tensors", stats.dtypeMix(), "",
                TextTable.count(stats.parameters()), TextTable.count(stats.bytes()));
        table.print(out);
        return stats;
    }

    private boolean matches(String component, String name) {
        return filter == null || name.startsWith(filter) || (!component.isEmpty() && (component + "/" + name).startsWith(filter));
    }

    private void printFolder(PrintWriter out, ModelFolder folder, List<Variant> preference) {
        out.println(folder.root() + ": " + folder.className() + ", " + folder.components().size() + " components");
        out.println();
        TextTable table = new TextTable("component", "class", "files", "dtype", ">tensors", ">parameters", ">bytes", ">size");
        TensorStats total = TensorStats.EMPTY;
        for (ModelComponent c : folder.components()) {
            if (!c.hasWeights()) {
                table.row(c.name(), c.className(), c.configFileName(), "-", "", "", "", "");
                continue;
            }
            WeightFile w = c.weights(preference);
            try (SafetensorsSource source = w.open()) {
                TensorStats s = TensorStats.of(source);
                total = total.plus(s);
                String files = w.path().getFileName() + (w.sharded() ? " (" + source.files().size() + " shards)" : "");
                table.row(c.name(), c.className(), files, s.dtypeMix(), TextTable.count(s.tensors()),
                        TextTable.count(s.parameters()), TextTable.count(s.bytes()), TextTable.size(s.bytes()));
            }
        }
        table.rule();
        table.row("total", "", "", total.dtypeMix(), TextTable.count(total.tensors()), TextTable.count(total.parameters()),
                TextTable.count(total.bytes()), TextTable.size(total.bytes()));
        table.print(out);
        if (tensors || filter != null) printFolderTensors(out, folder, preference);
    }

    private void printFolderTensors(PrintWriter out, ModelFolder folder, List<Variant> preference) {
        long shown = 0;
        for (ModelComponent c : folder.components()) {
            if (!c.hasWeights()) continue;
            WeightFile w = c.weights(preference);
            try (SafetensorsSource source = w.open()) {
                if (source.names().stream().noneMatch(n -> matches(c.name(), n))) continue;
                out.println();
                out.println(c.name() + "/" + w.path().getFileName() + ":");
                shown += printTensors(out, source, c.name()).tensors();
            }
        }
        if (filter != null && shown == 0) {
            out.println();
            out.println("no tensor name starts with \"" + filter + "\"");
        }
    }

    private static String abbreviate(String s) {
        String oneLine = s.replace('\n', ' ');
        return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
    }
}
