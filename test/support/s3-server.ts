// The embedded S3 server lives with the local topology (the demo uses it too).
export { startS3Server, type S3Server } from '../../local/s3-server.js';
