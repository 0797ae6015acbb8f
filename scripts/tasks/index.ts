// Hardhat tasks of the suite, one file per contract area. Imported by hardhat.config.ts.
import "./trust";
