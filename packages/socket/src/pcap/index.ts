export * from "./format.js";
export { decodePcap, readPcapFile, openPcapFile, PcapReader, PcapFormatError, isPcapFormatError, type PcapCapture } from "./reader.js";
export { encodePcap, pcapFileHeader, pcapRecord, PcapFileWriter, type PcapWriteOptions, type PcapFileOptions } from "./writer.js";
