"""The PyTorch side of turbojet's CPU side-by-side: one SDXL Turbo component in one process, fp32.

Each component is built from the config turbojet bundles (engine-core/src/main/resources/dev/turbojet/
models/sdxl-turbo/ for --size full, .../tiny-sdxl/ for --size tiny: the same files the Java side reads
from its classpath) with random weights (the timing does not depend on their values), then run once to
warm up and timed --iters times with time.perf_counter under torch.inference_mode(); one JSON line goes
to stdout. What each component is, matching dev.turbojet.bench.ComponentRun:

- unet: diffusers UNet2DConditionModel, one forward at a latent x latent latent, batch 1, 77 tokens,
  timestep 999, SDXL's added text_embeds and time_ids; SDPA attention (diffusers' default processor).
- vae-decode: AutoencoderKL.decode (post_quant_conv + decoder), latent -> 8 latent px. The encoder and
  quant_conv are never allocated (built on the meta device, dropped, the rest materialised with
  PyTorch's default init), so the peak RSS is the decoder's.
- text-encoders: transformers CLIPTextModel to its penultimate layer (built with one layer fewer, so
  the last layer is neither stored nor run, as turbojet skips it) + CLIPTextModelWithProjection with
  its hidden states, concatenated as the pipeline does; SDPA attention.

Run by bench/peer/cpu-side-by-side.sh, which sets the interpreter up; by hand, from the repository root:

    PYTHONPATH=.peer/diffusers/src .peer/venv/bin/python bench/peer/cpu_components.py --component unet --threads 2
"""
import argparse
import json
import os
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODELS = ROOT / "engine-core/src/main/resources/dev/turbojet/models"
FOLDERS = {"full": "sdxl-turbo", "tiny": "tiny-sdxl"}
TOKENS = 77
BOS, EOS = 49406, 49407
WORDS = [320, 1125, 539, 320, 1929, 9528, 530, 518, 2867, 267, 2062, 1215]  # the ids turbojet's Workloads uses


def config(size, component):
    with open(MODELS / FOLDERS[size] / component / "config.json") as f:
        return json.load(f)


def prompt_ids(pad):
    """BOS, a dozen ordinary word ids, EOS, then pad to 77: Workloads.promptIds."""
    ids = [BOS] + WORDS + [EOS]
    return ids + [pad] * (TOKENS - len(ids))


def build_unet(torch, size, latent):
    from diffusers import UNet2DConditionModel
    cfg = config(size, "unet")
    unet = UNet2DConditionModel.from_config(cfg).eval()
    sample = torch.randn(1, cfg["in_channels"], latent, latent)
    context = torch.randn(1, TOKENS, cfg["cross_attention_dim"])
    px = 8 * latent
    added = {"text_embeds": torch.randn(1, cfg["projection_class_embeddings_input_dim"] - 6 * cfg["addition_time_embed_dim"]),
             "time_ids": torch.tensor([[px, px, 0, 0, px, px]], dtype=torch.float32)}
    t = torch.tensor([999.0])
    attention = type(next(m for m in unet.modules() if hasattr(m, "processor")).processor).__name__
    return unet, (lambda: unet(sample, t, encoder_hidden_states=context, added_cond_kwargs=added).sample), attention


def build_vae_decoder(torch, size, latent):
    from diffusers import AutoencoderKL
    cfg = config(size, "vae")
    with torch.device("meta"):
        vae = AutoencoderKL.from_config(cfg)
    vae.encoder = None                                   # decode() uses post_quant_conv and decoder only
    vae.quant_conv = None
    vae = vae.to_empty(device="cpu").eval()
    for name, m in vae.named_modules():
        if hasattr(m, "reset_parameters"):
            m.reset_parameters()
        elif any(True for _ in m.parameters(recurse=False)):
            raise RuntimeError(f"{name} ({type(m).__name__}) owns parameters but has no reset_parameters")
    z = torch.randn(1, cfg["latent_channels"], latent, latent)
    attention = type(next(m for m in vae.modules() if hasattr(m, "processor")).processor).__name__
    return vae, (lambda: vae.decode(z).sample), attention


def build_text_encoders(torch, size):
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection
    c1 = CLIPTextConfig.from_dict(config(size, "text_encoder"))
    c1.num_hidden_layers -= 1                            # its hidden_states[-1] is the full model's [-2]
    c2 = CLIPTextConfig.from_dict(config(size, "text_encoder_2"))
    # the bundled configs say torch_dtype float16 (the published checkpoint's), which transformers may
    # build in: the comparison is fp32 on both sides
    te1 = CLIPTextModel(c1).to(torch.float32).eval()
    te2 = CLIPTextModelWithProjection(c2).to(torch.float32).eval()
    ids1 = torch.tensor([prompt_ids(EOS)])
    ids2 = torch.tensor([prompt_ids(0)])

    def encode():
        h1 = te1(ids1, output_hidden_states=True).hidden_states[-1]        # [1, 77, 768]
        out2 = te2(ids2, output_hidden_states=True)
        embeds = torch.cat([h1, out2.hidden_states[-2]], dim=-1)           # [1, 77, 2048]
        return embeds, out2.text_embeds                                    # and [1, 1280]

    class Both(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.te1, self.te2 = te1, te2

    return Both(), encode, te1.config._attn_implementation


def versions(torch):
    import diffusers
    import transformers
    return {"torch": torch.__version__, "diffusers": diffusers.__version__, "transformers": transformers.__version__,
            "python": sys.version.split()[0], "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "mkldnn": torch.backends.mkldnn.is_available()}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--component", choices=["unet", "vae-decode", "text-encoders"])
    p.add_argument("--size", default="full", choices=sorted(FOLDERS))
    p.add_argument("--latent", type=int, default=64, help="latent side for unet and vae-decode (64 = 512 px)")
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads; 0 = every processor this process may use")
    p.add_argument("--iters", type=int, default=3, help="timed forwards after the warm-up")
    p.add_argument("--versions", action="store_true", help="print the versions as JSON and exit (checks the imports)")
    args = p.parse_args()
    threads = args.threads or len(os.sched_getaffinity(0))
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))

    import torch
    if args.versions:
        print(json.dumps(versions(torch)))
        return
    if args.component is None:
        p.error("--component is required")
    if args.iters < 1:
        p.error("--iters must be at least 1")
    torch.set_num_threads(threads)
    torch.manual_seed(0)

    info = versions(torch)
    if args.component == "text-encoders":                # imported before the clock starts: load_s is building only
        import transformers.models.clip.modeling_clip  # noqa: F401
    else:
        from diffusers import AutoencoderKL, UNet2DConditionModel  # noqa: F401
    t0 = time.perf_counter()
    if args.component == "unet":
        model, forward, attention = build_unet(torch, args.size, args.latent)
    elif args.component == "vae-decode":
        model, forward, attention = build_vae_decoder(torch, args.size, args.latent)
    else:
        model, forward, attention = build_text_encoders(torch, args.size)
    load_s = time.perf_counter() - t0
    with torch.inference_mode():
        t1 = time.perf_counter()
        forward()
        warmup_s = time.perf_counter() - t1
        times = []
        for _ in range(args.iters):
            t = time.perf_counter()
            forward()
            times.append(time.perf_counter() - t)

    out = {"side": "pytorch", "component": args.component, "size": args.size}
    if args.component != "text-encoders":
        out["latent"] = args.latent
    out.update({"threads": torch.get_num_threads(), "dtype": str(next(model.parameters()).dtype),
                "parameters": sum(t.numel() for t in model.parameters()), "attention": attention,
                **info, "load_s": load_s, "warmup_s": warmup_s, "times_s": times,
                "median_s": statistics.median(times)})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
