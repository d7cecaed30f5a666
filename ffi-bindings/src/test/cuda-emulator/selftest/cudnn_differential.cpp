// Differential self test: runs the descriptor sequences of cudnn_scenarios.h on NVIDIA's real
// libcudnn.so.9 and on the emulator, and compares the status codes (and values read back) step by
// step. Only descriptor operations that need no GPU are run, so NVIDIA's library runs on a machine
// without one (cuDNN 9.24 finalizes tensors, convolutions, operations and graphs on the host; it
// needs libcudnn.so.9, libcudnn_graph.so.9 and libcudnn_engines_runtime_compiled.so.9 for that).
//
// Each library runs in a child process of its own (fork, then dlopen), so neither sees the other's
// symbols (NVIDIA's engines look the driver up with dlopen("libcuda.so.1") and dlopen(NULL): in a
// process that also holds the emulated driver they would find it) and a crash of one is reported,
// not fatal. This program references no symbol of the emulator, so the linker (--as-needed) does
// not make it a dependency; the emulator is dlopen'ed from the build folder (../libcudnn.so.9).
//
// Where NVIDIA's library is found, in order:
//   $TJEMU_REAL_CUDNN       a folder holding libcudnn.so.9 (and its sibling libraries), or the file
//   pip site-packages       .../site-packages/nvidia/cudnn/lib
//   the build's cache       <build>/nvidia-real-cudnn/<wheel>/nvidia/cudnn/lib, unpacked by this program
//                           from the nvidia_cudnn_cu13-9*.whl that nvidia-headers.sh uses (TJEMU_WHEELS,
//                           /opt/pypi-more/files, /opt/pypi/files, ~/.cache/turbojet/wheels) when
//                           `unzip` is available (the three libraries above, about 160 MB)
// When none is found, or it cannot be loaded, the program prints a "skip:" line and exits 0.
//
// Comparison: a step where the emulator deliberately answers differently (cudnn_expected.h, each
// with its reason) must show exactly the recorded pair; every other step must agree. NVIDIA's answer
// is also checked against the recorded one, so a new cuDNN that behaves differently is noticed:
// re-record then with `cudnn_differential --record`, which prints NVIDIA's steps as table rows.
#include <dlfcn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <glob.h>
#include <map>
#include <string>
#include <vector>

#include "cudnn_expected.h"
#include "cudnn_scenarios.h"

namespace {

int checks = 0, failures = 0;

bool is_file(const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string self_dir() {
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return ".";
    buf[n] = 0;
    std::string p(buf);
    return p.substr(0, p.rfind('/'));
}

std::vector<std::string> expand(const std::string& pattern) {
    std::vector<std::string> out;
    glob_t g;
    if (glob(pattern.c_str(), 0, nullptr, &g) == 0)
        for (size_t i = 0; i < g.gl_pathc; i++) out.push_back(g.gl_pathv[i]);
    globfree(&g);
    std::sort(out.begin(), out.end());
    return out;
}

const char* kNeeded[] = {"libcudnn.so.9", "libcudnn_graph.so.9", "libcudnn_engines_runtime_compiled.so.9"};

/** NVIDIA's libcudnn.so.9, or "" with `why` saying what was looked for. */
std::string find_real(std::string& why) {
    if (const char* env = std::getenv("TJEMU_REAL_CUDNN"); env && *env) {
        std::string p = env;
        if (is_file(p)) return p;
        if (is_file(p + "/libcudnn.so.9")) return p + "/libcudnn.so.9";
        why = "TJEMU_REAL_CUDNN=" + p + " holds no libcudnn.so.9";
        return "";
    }
    std::vector<std::string> sites;
    if (const char* v = std::getenv("VIRTUAL_ENV")) sites.push_back(std::string(v) + "/lib/python3*/site-packages");
    sites.push_back("/usr/local/lib/python3*/site-packages");
    sites.push_back("/usr/lib/python3/dist-packages");
    if (const char* h = std::getenv("HOME")) sites.push_back(std::string(h) + "/.local/lib/python3*/site-packages");
    for (const std::string& s : sites)
        for (const std::string& lib : expand(s + "/nvidia/cudnn/lib/libcudnn.so.9")) return lib;

    std::vector<std::string> wheels;
    std::vector<std::string> dirs;
    if (const char* v = std::getenv("TJEMU_WHEELS")) dirs.push_back(v);
    dirs.push_back("/opt/pypi-more/files");
    dirs.push_back("/opt/pypi/files");
    if (const char* h = std::getenv("HOME")) dirs.push_back(std::string(h) + "/.cache/turbojet/wheels");
    for (const std::string& d : dirs) {
        wheels = expand(d + "/nvidia_cudnn_cu13-9*.whl");
        if (!wheels.empty()) break;
    }
    if (wheels.empty()) {
        why = "NVIDIA's libcudnn.so.9 not found (TJEMU_REAL_CUDNN, pip site-packages nvidia/cudnn/lib, or a "
              "nvidia_cudnn_cu13-9*.whl under TJEMU_WHEELS, /opt/pypi-more/files, /opt/pypi/files, "
              "~/.cache/turbojet/wheels)";
        return "";
    }
    const std::string wheel = wheels.back();
    std::string stem = wheel.substr(wheel.rfind('/') + 1);
    stem = stem.substr(0, stem.size() - 4);
    const std::string cache = self_dir() + "/../nvidia-real-cudnn/" + stem;
    const std::string lib = cache + "/nvidia/cudnn/lib";
    bool complete = true;
    for (const char* n : kNeeded) complete &= is_file(lib + "/" + n);
    if (complete) return lib + "/libcudnn.so.9";
    if (std::system("command -v unzip >/dev/null 2>&1") != 0) {
        why = "found " + wheel + " but no `unzip` to unpack its libraries";
        return "";
    }
    // Unpacked beside, then renamed into place, so a concurrent run never sees half a library.
    const std::string tmp = cache + ".tmp" + std::to_string((long)getpid());
    std::string cmd = "rm -rf '" + tmp + "' && mkdir -p '" + tmp + "' && unzip -oq '" + wheel + "' -d '" + tmp + "'";
    for (const char* n : kNeeded) cmd += std::string(" 'nvidia/cudnn/lib/") + n + "'";
    std::printf("unpacking NVIDIA's libraries from %s into %s\n", wheel.c_str(), cache.c_str());
    std::fflush(stdout);
    if (std::system(cmd.c_str()) != 0) {
        why = "unpacking " + wheel + " failed (" + cmd + ")";
        return "";
    }
    if (std::rename(tmp.c_str(), cache.c_str()) != 0) {  // another run got there first, or a stale partial copy
        if (std::system(("rm -rf '" + cache + "' && mv '" + tmp + "' '" + cache + "' 2>/dev/null || rm -rf '" + tmp + "'").c_str())) {
            // checked below
        }
    }
    complete = true;
    for (const char* n : kNeeded) complete &= is_file(lib + "/" + n);
    if (!complete) {
        why = "unpacking " + wheel + " into " + cache + " left it incomplete";
        return "";
    }
    return lib + "/libcudnn.so.9";
}

template <typename F>
bool sym(void* h, const char* name, F& out, std::string& why) {
    out = reinterpret_cast<F>(dlsym(h, name));
    if (!out) why = std::string("no symbol ") + name;
    return out != nullptr;
}

bool load(const std::string& path, cudnn_scenarios::Api& a, std::string& why) {
    void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        why = dlerror();
        return false;
    }
    return sym(h, "cudnnGetVersion", a.GetVersion, why) && sym(h, "cudnnGetErrorString", a.GetErrorString, why) &&
           sym(h, "cudnnGetLastErrorString", a.GetLastErrorString, why) && sym(h, "cudnnCreate", a.Create, why) &&
           sym(h, "cudnnDestroy", a.Destroy, why) && sym(h, "cudnnSetStream", a.SetStream, why) &&
           sym(h, "cudnnBackendCreateDescriptor", a.BackendCreateDescriptor, why) &&
           sym(h, "cudnnBackendDestroyDescriptor", a.BackendDestroyDescriptor, why) &&
           sym(h, "cudnnBackendFinalize", a.BackendFinalize, why) &&
           sym(h, "cudnnBackendSetAttribute", a.BackendSetAttribute, why) &&
           sym(h, "cudnnBackendGetAttribute", a.BackendGetAttribute, why);
}

struct Run {
    bool loaded = false;       // the library loaded (else `why`)
    bool finished = false;     // the child ran every scenario and exited
    std::string why;
    size_t version = 0;
    std::vector<cudnn_scenarios::Step> steps;
};

/** Runs the scenarios on the library at `path` in a child process. */
Run run_in_child(const std::string& path) {
    Run r;
    int fd[2];
    if (pipe(fd) != 0) {
        r.why = std::string("pipe: ") + std::strerror(errno);
        return r;
    }
    std::fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        FILE* out = fdopen(fd[1], "w");
        cudnn_scenarios::Api api{};
        std::string why;
        if (!load(path, api, why)) {
            std::fprintf(out, "E\t%s\n", why.c_str());
            std::fclose(out);
            _exit(0);
        }
        std::fprintf(out, "V\t%zu\n", api.GetVersion());
        std::fflush(out);
        for (const auto& s : cudnn_scenarios::run_all(api)) std::fprintf(out, "S\t%ld\t%s\n", s.value, s.name.c_str());
        std::fprintf(out, "D\n");
        std::fclose(out);
        _exit(0);
    }
    close(fd[1]);
    FILE* in = fdopen(fd[0], "r");
    char line[4096];
    while (std::fgets(line, sizeof line, in)) {
        std::string l(line);
        if (!l.empty() && l.back() == '\n') l.pop_back();
        if (l.rfind("E\t", 0) == 0) r.why = l.substr(2);
        else if (l.rfind("V\t", 0) == 0) r.loaded = true, r.version = std::strtoul(l.c_str() + 2, nullptr, 10);
        else if (l == "D") r.finished = true;
        else if (l.rfind("S\t", 0) == 0) {
            char* end = nullptr;
            long v = std::strtol(l.c_str() + 2, &end, 10);
            r.steps.push_back({std::string(end + 1), v});
        }
    }
    std::fclose(in);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!r.finished && r.why.empty()) {
        r.why = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                    : "exited with " + std::to_string(WEXITSTATUS(status));
        if (!r.steps.empty()) r.why += " after step " + r.steps.back().name;
    }
    return r;
}

void fail(const std::string& m) {
    ++checks;
    ++failures;
    std::printf("FAIL %s\n", m.c_str());
}

std::string show(long v) {
    if (v == cudnn_expected::kAbsent) return "absent";
    if (v == cudnn_expected::kNotRun) return "not run";
    return std::to_string(v);
}

}  // namespace

int main(int argc, char** argv) {
    const bool record = argc > 1 && std::strcmp(argv[1], "--record") == 0;
    std::string why;
    const std::string real_path = find_real(why);
    if (real_path.empty()) {
        std::printf("skip: %s\n", why.c_str());
        return 0;
    }
    Run real = run_in_child(real_path);
    if (!real.loaded) {
        std::printf("skip: NVIDIA's %s cannot be loaded here: %s\n", real_path.c_str(), real.why.c_str());
        return 0;
    }
    std::printf("NVIDIA's cuDNN %zu from %s: %zu steps\n", real.version, real_path.c_str(), real.steps.size());
    const std::string emu_path = self_dir() + "/../libcudnn.so.9";
    Run emu = run_in_child(emu_path);
    if (!real.finished) fail("NVIDIA's library did not finish the scenarios: " + real.why);
    if (!emu.loaded) fail("the emulator " + emu_path + " cannot be loaded: " + emu.why);
    else if (!emu.finished) fail("the emulator did not finish the scenarios: " + emu.why);
    if (failures) {
        std::printf("cudnn_differential: %d checks, %d failed\n", checks, failures);
        return 1;
    }
    if (real.version != (size_t)CUDNN_VERSION)
        std::printf("note: NVIDIA's library is %zu, the headers the emulator was built with %d\n", real.version, CUDNN_VERSION);

    // Every step either library recorded, in NVIDIA's order, then the emulator's extra ones.
    std::vector<std::string> names;
    std::map<std::string, long> nv, em;
    for (const auto& s : real.steps) {
        if (!nv.count(s.name)) names.push_back(s.name);
        nv[s.name] = s.value;
    }
    for (const auto& s : emu.steps) {
        if (!nv.count(s.name) && !em.count(s.name)) names.push_back(s.name);
        em[s.name] = s.value;
    }
    auto value = [](const std::map<std::string, long>& m, const std::string& n) {
        auto it = m.find(n);
        return it == m.end() ? cudnn_expected::kAbsent : it->second;
    };
    if (record) {  // rows for cudnn_expected.h (the reasons of deliberate differences come from the current table)
        for (const std::string& n : names) {
            const long a = value(nv, n), b = value(em, n);
            const cudnn_expected::Expect* e = cudnn_expected::find(n);
            std::string why = e && a != b ? e->why : (a != b ? "TODO" : "");
            auto col = [](long v) {
                return v == cudnn_expected::kAbsent ? std::string("kAbsent") : std::to_string(v);
            };
            std::printf("    {\"%s\", %s, %s, \"%s\"},\n", n.c_str(), col(a).c_str(), col(b).c_str(), why.c_str());
        }
        return 0;
    }

    int agree = 0, deliberate = 0;
    for (const std::string& n : names) {
        ++checks;
        const long a = value(nv, n), b = value(em, n);
        const cudnn_expected::Expect* e = cudnn_expected::find(n);
        std::string problem;
        if (e == nullptr) {
            if (a != b)
                problem = "NVIDIA " + show(a) + ", emulator " + show(b) + ", and cudnn_expected.h has no row for it";
        } else if (a != e->nvidia) {
            problem = "NVIDIA's library answers " + show(a) + ", cudnn_expected.h recorded " + show(e->nvidia) +
                      " (a different cuDNN? re-record with --record)";
        } else if (b != e->emulator) {
            problem = "emulator " + show(b) + ", expected " + show(e->emulator) +
                      (e->emulator == e->nvidia ? std::string(" like NVIDIA's library")
                                                : " (deliberately unlike NVIDIA's " + show(e->nvidia) + ": " + e->why + ")");
        }
        if (!problem.empty()) {
            --checks;
            fail(n + ": " + problem);
        } else if (a == b) {
            ++agree;
        } else {
            ++deliberate;
            std::printf("differs as recorded: %s: NVIDIA %s, emulator %s: %s\n", n.c_str(), show(a).c_str(), show(b).c_str(),
                        e->why);
        }
    }
    std::printf("%d steps agree with NVIDIA's library, %d differ as recorded in cudnn_expected.h\n", agree, deliberate);
    std::printf("cudnn_differential: %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
