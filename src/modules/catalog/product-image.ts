import { ArrayMaxSize, IsString, IsUrl, MaxLength } from 'class-validator';
import { Directive, Field, InputType, ObjectType } from 'type-graphql';
import { cacheHint } from '../../shared/cache-hints';

/** Images a product may carry at most. */
export const MAX_PRODUCT_IMAGES = 8;
/** Longest image URL accepted, in characters. */
export const MAX_IMAGE_URL_LENGTH = 2_048;
/** Longest alternative text, in characters. */
export const MAX_IMAGE_ALT_LENGTH = 300;

/** One image of a product as stored (`product.images`, jsonb) and shown. */
export interface ProductImageValue {
  url: string;
  alt: string;
}

@Directive(cacheHint({ inheritMaxAge: true }))
@ObjectType({ description: "An image of a product. The file lives on the storefronts' CDN; this server keeps only its address." })
export class ProductImage implements ProductImageValue {
  @Field({ description: 'An https URL.' })
  url!: string;

  @Field({ description: 'Alternative text, read by screen readers and shown when the image cannot be; empty for a purely decorative image.' })
  alt!: string;
}

@InputType({ description: 'An image of a product: its https URL (the storefronts host the file) and its alternative text.' })
export class ImageInput implements ProductImageValue {
  @Field({ description: `An https URL, at most ${MAX_IMAGE_URL_LENGTH} characters.` })
  @IsUrl({ protocols: ['https'], require_protocol: true, require_valid_protocol: true }, { message: 'url must be an https URL' })
  @MaxLength(MAX_IMAGE_URL_LENGTH)
  url!: string;

  @Field({ description: `Alternative text, at most ${MAX_IMAGE_ALT_LENGTH} characters; empty for a purely decorative image.` })
  @IsString()
  @MaxLength(MAX_IMAGE_ALT_LENGTH)
  alt!: string;
}

/** class-validator's limit of an `images` input field: at most {@link MAX_PRODUCT_IMAGES}. */
export function AtMostProductImages(): PropertyDecorator {
  return ArrayMaxSize(MAX_PRODUCT_IMAGES, { message: `images may hold at most ${MAX_PRODUCT_IMAGES} images` });
}

/** The images as stored: exactly `url` and `alt`, trimmed alt text. */
export function toStoredImages(images: readonly ProductImageValue[]): ProductImageValue[] {
  return images.map((image) => ({ url: image.url, alt: image.alt.trim() }));
}
