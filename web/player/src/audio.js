// peaks.js's player over the page's <audio> element, without waiting for the audio: peaks.js's
// own one loads the media's metadata before it paints anything, and browsers then go on
// buffering (all 173 MB of a 3-hour preview over loopback). With preload="none" and this
// adapter, the waveform is painted from the .dat at once and the audio is fetched when played.
const HAVE_NOTHING = 0;

export class AudioAdapter {
  constructor(audio, duration) {
    this.audio = audio;
    this.duration = duration; // from the .dat or ts-info, until the audio says
    this.listeners = [];
  }

  init(emitter) {
    this.emitter = emitter;
    const on = (type, f) => {
      this.audio.addEventListener(type, f);
      this.listeners.push([type, f]);
    };
    on('timeupdate', () => emitter.emit('player.timeupdate', this.getCurrentTime()));
    on('playing', () => emitter.emit('player.playing', this.getCurrentTime()));
    on('pause', () => emitter.emit('player.pause', this.getCurrentTime()));
    on('ended', () => emitter.emit('player.ended'));
    on('seeked', () => emitter.emit('player.seeked', this.getCurrentTime()));
    on('canplay', () => emitter.emit('player.canplay'));
    on('error', () => emitter.emit('player.error', this.audio.error));
    return Promise.resolve();
  }

  destroy() {
    for (const [type, f] of this.listeners) this.audio.removeEventListener(type, f);
    this.listeners = [];
  }

  play() {
    return this.audio.play();
  }

  pause() {
    this.audio.pause();
  }

  isPlaying() {
    return !this.audio.paused;
  }

  isSeeking() {
    return this.audio.seeking;
  }

  getCurrentTime() {
    return this.audio.currentTime;
  }

  getDuration() {
    const d = this.audio.duration;
    return Number.isFinite(d) ? d : this.duration;
  }

  seek(time) {
    // Before the audio is loaded, this sets where playing will start (HTML's default playback
    // start position, which currentTime then reports); no 'seeked' follows, so say it here.
    this.audio.currentTime = time;
    if (this.audio.readyState === HAVE_NOTHING) this.emitter?.emit('player.seeked', time);
  }
}
