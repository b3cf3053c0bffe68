//! The models drape runs, each behind a wrapper that turns frames into its input tensor and its
//! output into maps: U^2-Net-p's saliency, PAN's skin/clothes/hair, BlazePose, the selfie mask
//! and the style networks. Which files they are, and their checksums, is [`super::manifest`].

pub mod pan;
pub mod pose;
pub mod saliency;
pub mod selfie;
pub mod style;
