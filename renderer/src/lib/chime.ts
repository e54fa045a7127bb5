// A short two-note chime for a new request, made with WebAudio: no sound file to ship or to load.

type AudioContextClass = typeof AudioContext;

let context: AudioContext | undefined;

/** Plays the chime once; silent where the host has no WebAudio (or refuses it before a gesture). */
export function playNewRequestChime(win: Window & typeof globalThis = window): void {
  const Context: AudioContextClass | undefined =
    win.AudioContext ??
    (win as unknown as { webkitAudioContext?: AudioContextClass }).webkitAudioContext;
  if (!Context) return;
  try {
    context ??= new Context();
    // A context made before the agent touched the page starts suspended; the toggle's click resumes it.
    if (context.state === 'suspended') void context.resume().catch(() => undefined);
    const start = context.currentTime + 0.02;
    const gain = context.createGain();
    gain.connect(context.destination);
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.45);
    // A rising fifth (E5, then B5): noticeable, not alarming.
    [659.25, 987.77].forEach((frequency, index) => {
      const tone = context!.createOscillator();
      tone.type = 'sine';
      tone.frequency.setValueAtTime(frequency, start + index * 0.12);
      tone.connect(gain);
      tone.start(start + index * 0.12);
      tone.stop(start + 0.45);
    });
  } catch {
    // A chime is a nicety: a host that refuses it must not break the console.
  }
}
