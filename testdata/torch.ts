/** Whether Debian's python3-torch is installed (the reference trainer's tests need it). */
export const HAS_TORCH: boolean = await new Deno.Command("/usr/bin/python3", {
  args: ["-c", "import torch"],
  stdout: "null",
  stderr: "null",
}).output().then((o) => o.success, () => false);
