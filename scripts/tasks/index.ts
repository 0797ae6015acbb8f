// Hardhat tasks of the suite, one file per contract area. Imported by hardhat.config.ts; task files
// import heavy modules inside their actions so that the config loads before anything is compiled.
import "./deploy";
import "./coin";
import "./registry";
import "./trust";
import "./validators";
import "./consensus";
import "./market";
import "./meters";
