/**
 * Generated from the OpenAPI document (infra/openapi) by openapi-typescript: do not edit.
 * Regenerate with `npm run openapi:types`; a unit test fails when it is stale.
 */
export interface paths {
    "/agents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Capture agents and their state */
        get: operations["listAgents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/agents/heartbeat": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A capture agent's heartbeat */
        post: operations["agentHeartbeat"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/agents/{agentId}/claim": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Claim the agent's fair share of cameras (renew, take, release) */
        post: operations["agentClaim"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/alarms": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A camera's alarms, newest first, paged; optionally one rule's only */
        get: operations["listAlarms"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/alarms/{alarmId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An alarm with its replay and snapshot URLs and push attempts */
        get: operations["getAlarm"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/cameras/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every camera with its recording state and owner */
        get: operations["getCamerasStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/cameras/{cameraId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A camera with its rules */
        get: operations["getCamera"];
        /** Register or update a camera (source, name, enabled) */
        put: operations["putCamera"];
        post?: never;
        /** Forget a camera */
        delete: operations["deleteCamera"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/cameras/{cameraId}/clips": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A camera's clips in a time range, with their inference and tracking state */
        get: operations["listCameraClips"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/cameras/{cameraId}/counts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** People per time bucket (avg, max, min) over analysed photos of a camera */
        get: operations["getCameraCounts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/cameras/{cameraId}/detector": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A camera's detector settings (the model's defaults when it has none) */
        get: operations["getCameraDetector"];
        /** Set a camera's detector settings (thresholds, size bounds, masks, count region) */
        put: operations["putCameraDetector"];
        post?: never;
        /** Clear a camera's detector settings (back to the model's defaults) */
        delete: operations["deleteCameraDetector"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/cameras/{cameraId}/flow": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * People crossing a counting line, in and out per bucket
         * @description Buckets align to the camera's time zone (its `timezone`, UTC by default). Default range: the last 24 h; at most 31 days and 2,000 buckets.
         */
        get: operations["getCameraFlow"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/cameras/{cameraId}/occupancy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * People inside a zone, loitering or crowding rule: average and maximum per bucket
         * @description avg and max are null for a bucket without a sampled frame (no footage), 0 when footage showed nobody.
         */
        get: operations["getCameraOccupancy"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/cameras/{cameraId}/rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A camera's alarm rules */
        get: operations["getCameraRules"];
        /** Replace a camera's alarm rules (zone, loitering, line, crowding) */
        put: operations["putCameraRules"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/cameras/{cameraId}/snapshot": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Redirect to the camera's latest snapshot JPEG (`?redirect=false`: its URL as JSON) */
        get: operations["getCameraSnapshot"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/devices/{deviceId}/images": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A device's images in a time range, paged */
        get: operations["listDeviceImages"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The API reference, readable (Redoc, served from here: no CDN) */
        get: operations["getDocs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs/redoc.js": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The reference page's script (Redoc's standalone bundle, MIT) */
        get: operations["getDocsScript"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/features/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Up to 10,000 image keys: one extraction task each */
        post: operations["submitFeaturesBatch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/features/extract": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Faces of one image (box, score, embedding); not indexed */
        post: operations["extractFeatures"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/features/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Model loaded? Index loaded, its size and version */
        get: operations["getSearchHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/features/jobs/{jobId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Progress of a batch */
        get: operations["getFeaturesJob"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/features/{imageKey}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove an image from the index (the object itself stays) */
        delete: operations["deleteFeatures"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ftp/notify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Files that appeared on an FTP server: registered in the index and queued for migration to S3
         * @description All items are validated first (known server, inside its root, no `..`, the camera layout); one bad item refuses the whole request and nothing is queued.
         */
        post: operations["ftpNotify"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ftp/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The last scan of each configured server and the last cleanup (null: not run yet) */
        get: operations["getFtpStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Storage groups with their file counts and bytes */
        get: operations["listGroups"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** State of each dependency (DynamoDB, S3, SQS) */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ids/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** N (1–1000) fresh, never-reused IDs for a key */
        post: operations["nextIds"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/images/{fileName}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An image's index entry: where it is (FTP or S3) and a URL */
        get: operations["getImage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/images/{fileName}/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Redirect to the image's URL */
        get: operations["getImageContent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/media": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user's files, newest first */
        get: operations["listMedia"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/media/uploads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Plan an upload: one presigned PUT, or presigned parts of a multipart upload */
        post: operations["createUpload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/media/uploads/{fileId}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Finish an upload (body `{ parts }` for multipart uploads; none for a single PUT) */
        post: operations["completeUpload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/media/{fileId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Redirect to a presigned download URL (players follow it); `?redirect=false`: the URL as JSON */
        get: operations["getMedia"];
        put?: never;
        post?: never;
        /** Delete a file (idempotent) */
        delete: operations["deleteMedia"];
        options?: never;
        /** Size, type and ETag of a file (headers only) */
        head: operations["headMedia"];
        patch?: never;
        trace?: never;
    };
    "/media/{fileId}/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Ranged download: `Range: bytes=…` or `?offset=&size=` → 206 with the exact bytes; no range → 302 */
        get: operations["getMediaContent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI 3.1 document */
        get: operations["getOpenApi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/photos": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** IDs still waiting at a stage, announced within a window */
        get: operations["listPendingPhotos"];
        put?: never;
        /** Announce one photo (or an array of up to 100): queued for download, counting and report */
        post: operations["announcePhotos"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/photos/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Pipeline state of the photos announced within a window: waiting per stage, done, failed */
        get: operations["getPhotoStats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/photos/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A photo record and its progress through the stages */
        get: operations["getPhoto"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/photos/{id}/result": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** An external analyser's people count for a photo */
        post: operations["postPhotoResult"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Similar faces: each of the query's faces with its best matches in the index */
        post: operations["searchFaces"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description Every error answer */
        Error: {
            /** @constant */
            status: "error";
            /** @description Error code, e.g. ValidationError, NotFound, Conflict */
            error: string;
            /** @description What went wrong, naming the field */
            message: string;
            details?: components["schemas"]["ErrorDetail"][];
            requestId: string;
        };
        ErrorDetail: {
            path: string;
            message: string;
        };
        /** @description The API gateway's own answer (it never reached a function) */
        GatewayError: {
            message: string;
        } & {
            [key: string]: unknown;
        };
        Alarm: {
            alarmId: string;
            cameraId: string;
            rule: string;
            ruleType: string;
            ruleName: string | null;
            incidentKey: string;
            startedAt: string | null;
            endedAt: string | null;
            trackIds: (number | string)[];
            createdAt: string | null;
            replayComplete: boolean | null;
            replayFrom: string | null;
            replayTo: string | null;
            replayReady: boolean;
            pushStatus: string | null;
            pushedAt: string | null;
            pushAttempts: number;
        } & {
            [key: string]: unknown;
        };
        Rule: {
            id: string;
            type: string;
        } & {
            [key: string]: unknown;
        };
        Camera: {
            cameraId: string;
            source: string | null;
            name: string | null;
            enabled: boolean;
            owner: string | null;
            leaseUntil: string | null;
            lastClipStartAt: string | null;
            lastClipAt: string | null;
            rulesUpdatedAt: string | null;
            detectorUpdatedAt: string | null;
            createdAt: string | null;
        } & {
            [key: string]: unknown;
        };
        DetectorView: {
            cameraId: string;
            settings: {
                [key: string]: unknown;
            };
            model: string;
            defaults?: {
                [key: string]: unknown;
            };
            updatedAt: string | null;
        };
        Image: {
            fileName: string;
            deviceId: string;
            /** @enum {string} */
            location: "ftp" | "s3";
            url: string;
            /** @enum {string} */
            kind: "big" | "small" | "json";
            captureTime: string;
            size?: number;
            md5?: string;
        };
        FtpStatus: {
            scans: {
                server: string;
                scan: boolean;
                last: ({
                    at: string;
                    errors: string[];
                    errorCount: number;
                    devices: number;
                    dirsListed: number;
                    queued: number;
                    pending: number;
                    invalid: number;
                } & {
                    [key: string]: unknown;
                }) | null;
            }[];
            cleanup: ({
                at: string;
                errors: string[];
                errorCount: number;
                dryRun: boolean;
                cutoff: string;
                examined: number;
                deleted: number;
                remigrated: number;
                waiting: number;
                failed: number;
                bytesFreed: number;
                checkpoint: string;
                locked?: boolean;
            } & {
                [key: string]: unknown;
            }) | null;
        };
        MediaFile: {
            fileId: string;
            appId: string;
            userId: string;
            group: string;
            fileName: string;
            size: number;
            contentType: string;
            etag?: string;
            /** @enum {string} */
            status: "uploading" | "ready" | "deleting" | "deleted";
            createdAt: string;
            updatedAt: string;
        };
        UploadTicket: {
            fileId: string;
            group: string;
            expiresAt: string;
            upload: {
                /** @constant */
                method: "PUT";
                url: string;
                headers: {
                    [key: string]: string;
                };
            };
        } | {
            fileId: string;
            group: string;
            expiresAt: string;
            uploadId: string;
            partSize: number;
            parts: {
                partNumber: number;
                url: string;
            }[];
        };
        PhotoIntakeAnswer: {
            /** @constant */
            status: "success";
            id: number;
            /** @constant */
            duplicate?: true;
        } | {
            /** @constant */
            status: "error";
            message: string;
            details: components["schemas"]["ErrorDetail"][];
        };
        PhotoStats: {
            within: string;
            from: string;
            to: string;
            pending: {
                download: number;
                analyse: number;
                report: number;
            };
            done: number;
            failed: number;
        };
        PhotoRecord: {
            id: number;
            cameraId: string;
            /**
             * @deprecated
             * @description the same as cameraId (the seed's name)
             */
            cameraCode: string;
            photoUrl: string;
            callTime: string;
            createdAt: string;
            stage: string;
            status: string;
            touchedAt: string;
            downloaded: boolean;
            analysed: boolean;
            reported: boolean;
            numOfPeople?: number;
            numInRegion?: number;
            attempts: {
                [key: string]: number;
            };
            lastError: {
                [key: string]: string;
            };
        } & {
            [key: string]: unknown;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listAgents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the agents */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        at: string | null;
                        agents: ({
                            agentId: string;
                            host: string;
                            pid: number;
                            cameras: string[];
                            state: string;
                            alive: boolean;
                            intervalSeconds: number;
                            lastHeartbeatAt: string | null;
                            startedAt: string | null;
                            diedAt: string | null;
                        } & {
                            [key: string]: unknown;
                        })[];
                    };
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    agentHeartbeat: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "agentId": "agent-a",
                 *       "host": "edge-01",
                 *       "pid": 4242,
                 *       "cameras": [
                 *         "cam1"
                 *       ],
                 *       "intervalSeconds": 10
                 *     }
                 */
                "application/json": {
                    agentId: string;
                    host: string;
                    pid: number;
                    cameras: string[];
                    intervalSeconds?: number;
                };
            };
        };
        responses: {
            /** @description alive; `wasDead`: the agent had been given up on and must claim afresh */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        agentId: string;
                        /** @constant */
                        state: "alive";
                        heartbeatSeconds: number;
                        deadAfterSeconds: number;
                        leaseSeconds: number;
                        wasDead: boolean;
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description body too large (ours: the Error body; over 10 MB: the gateway's own `{ message }`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    agentClaim: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @example agent-a */
                agentId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "running": [
                 *         "cam1"
                 *       ]
                 *     }
                 */
                "application/json": {
                    /** @default [] */
                    running?: string[];
                    /** @default false */
                    leaving?: boolean;
                };
            };
        };
        responses: {
            /** @description the cameras the agent owns, and those it must release */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        agentId: string;
                        target: number;
                        leaseSeconds: number;
                        leaseUntil: string | null;
                        owned: {
                            cameraId: string;
                            source: string;
                        }[];
                        release: string[];
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the agent is not alive: heartbeat first */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description body too large (ours: the Error body; over 10 MB: the gateway's own `{ message }`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listAlarms: {
        parameters: {
            query: {
                cameraId: string;
                rule?: string;
                from?: string;
                to?: string;
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of alarms */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Alarm"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getAlarm: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                alarmId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the alarm */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        alarmId: string;
                        cameraId: string;
                        rule: string;
                        ruleType: string;
                        ruleName: string | null;
                        incidentKey: string;
                        startedAt: string | null;
                        endedAt: string | null;
                        trackIds: (number | string)[];
                        createdAt: string | null;
                        replayComplete: boolean | null;
                        replayFrom: string | null;
                        replayTo: string | null;
                        replayReady: boolean;
                        pushStatus: string | null;
                        pushedAt: string | null;
                        pushAttempts: number;
                        replayUrl: string | null;
                        snapshotUrl: string | null;
                        pushes: {
                            attempt: number;
                            at: string | null;
                            ok: boolean;
                            httpStatus: number | null;
                            error: string | null;
                            ms: number;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unknown alarm */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCamerasStatus: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the cameras */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        at: string;
                        cameras: ({
                            cameraId: string;
                            source: string | null;
                            owner: string | null;
                            leaseUntil: string | null;
                            lastClipAt: string | null;
                            lastClipStartAt: string | null;
                            lastHeartbeatAt: string | null;
                            state: string;
                        } & {
                            [key: string]: unknown;
                        })[];
                    };
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCamera: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                cameraId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the camera */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cameraId: string;
                        source: string | null;
                        name: string | null;
                        enabled: boolean;
                        owner: string | null;
                        leaseUntil: string | null;
                        lastClipStartAt: string | null;
                        lastClipAt: string | null;
                        rulesUpdatedAt: string | null;
                        detectorUpdatedAt: string | null;
                        createdAt: string | null;
                        rules: components["schemas"]["Rule"][];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the camera is not registered */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putCamera: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @example cam1 */
                cameraId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "source": "rtsp://192.0.2.10:554/stream1",
                 *       "name": "front gate"
                 *     }
                 */
                "application/json": {
                    source?: string | null;
                    name?: string | null;
                    enabled?: boolean;
                    timezone?: string | null;
                    staleAfterSeconds?: number | null;
                };
            };
        };
        responses: {
            /** @description the camera */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Camera"];
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description body too large (ours: the Error body; over 10 MB: the gateway's own `{ message }`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteCamera: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                cameraId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the camera is not registered */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listCameraClips: {
        parameters: {
            query?: {
                from?: string;
                to?: string;
                limit?: string;
            };
            header?: never;
            path: {
                cameraId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the clips */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cameraId: string;
                        items: ({
                            key: string | null;
                            startAt: string | null;
                            startMs: number;
                            size?: number | null;
                            tracks: unknown[];
                            incidents: number;
                        } & {
                            [key: string]: unknown;
                        })[];
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCameraCounts: {
        parameters: {
            query?: {
                from?: string;
                to?: string;
                region?: "true" | "false";
                bucket?: string;
            };
            header?: never;
            path: {
                cameraId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the series */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cameraId: string;
                        /**
                         * @deprecated
                         * @description the same as cameraId
                         */
                        cameraCode: string;
                        from: string;
                        to: string;
                        bucket: string;
                        region: boolean;
                        photos: number;
                        series: {
                            start: string;
                            photos: number;
                            avg: number;
                            max: number;
                            min: number;
                        }[];
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCameraDetector: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                cameraId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the settings in force */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DetectorView"];
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putCameraDetector: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                cameraId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    minScore?: number;
                    crowdMinScore?: number;
                    crowdFrom?: number;
                    crowdScale?: number;
                    iou?: number;
                    ignoreTopEdge?: boolean;
                    minArea?: number;
                    maxArea?: number;
                    minAspect?: number;
                    maxAspect?: number;
                    masks?: [
                        number,
                        number
                    ][][];
                    countRegion?: [
                        number,
                        number
                    ][];
                };
            };
        };
        responses: {
            /** @description the settings in force */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DetectorView"];
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description body too large (ours: the Error body; over 10 MB: the gateway's own `{ message }`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteCameraDetector: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                cameraId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the settings in force */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DetectorView"];
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCameraFlow: {
        parameters: {
            query: {
                rule: string;
                from?: string;
                to?: string;
                bucket?: "1m" | "5m" | "15m" | "1h" | "1d";
            };
            header?: never;
            path: {
                cameraId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the series */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cameraId: string;
                        rule: string;
                        bucket: string;
                        timezone: string;
                        from: string;
                        to: string;
                        series: {
                            start: string;
                            in: number;
                            out: number;
                        }[];
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the camera is not registered */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCameraOccupancy: {
        parameters: {
            query: {
                rule: string;
                from?: string;
                to?: string;
                bucket?: "1m" | "5m" | "15m" | "1h" | "1d";
            };
            header?: never;
            path: {
                cameraId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the series */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cameraId: string;
                        rule: string;
                        bucket: string;
                        timezone: string;
                        from: string;
                        to: string;
                        series: {
                            start: string;
                            avg: number | null;
                            max: number | null;
                        }[];
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the camera is not registered */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCameraRules: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                cameraId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the rules */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cameraId: string;
                        rules: components["schemas"]["Rule"][];
                        filters?: {
                            [key: string]: unknown;
                        };
                        updatedAt: string | null;
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the camera is not registered */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putCameraRules: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @example cam1 */
                cameraId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "rules": [
                 *         {
                 *           "id": "gate",
                 *           "type": "zone",
                 *           "name": "gate area",
                 *           "polygon": [
                 *             [
                 *               300,
                 *               250
                 *             ],
                 *             [
                 *               500,
                 *               250
                 *             ],
                 *             [
                 *               500,
                 *               320
                 *             ],
                 *             [
                 *               300,
                 *               320
                 *             ]
                 *           ]
                 *         },
                 *         {
                 *           "id": "bench",
                 *           "type": "loitering",
                 *           "polygon": [
                 *             [
                 *               0,
                 *               300
                 *             ],
                 *             [
                 *               200,
                 *               300
                 *             ],
                 *             [
                 *               200,
                 *               576
                 *             ],
                 *             [
                 *               0,
                 *               576
                 *             ]
                 *           ],
                 *           "seconds": 60
                 *         },
                 *         {
                 *           "id": "entry",
                 *           "type": "line",
                 *           "from": [
                 *             384,
                 *             100
                 *           ],
                 *           "to": [
                 *             384,
                 *             500
                 *           ],
                 *           "direction": "left-to-right"
                 *         },
                 *         {
                 *           "id": "crowd",
                 *           "type": "crowding",
                 *           "polygon": [
                 *             [
                 *               0,
                 *               0
                 *             ],
                 *             [
                 *               767,
                 *               0
                 *             ],
                 *             [
                 *               767,
                 *               575
                 *             ],
                 *             [
                 *               0,
                 *               575
                 *             ]
                 *           ],
                 *           "minCount": 8,
                 *           "seconds": 10
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": {
                    rules: ({
                        id: string;
                        name?: string;
                        minScore?: number;
                        minArea?: number;
                        maxArea?: number;
                        minAspect?: number;
                        maxAspect?: number;
                        /** @description consecutive frames */
                        inertia?: number;
                        masks?: [
                            number,
                            number
                        ][][];
                        activeHours?: {
                            days: ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[];
                            from: string;
                            to: string;
                        }[];
                        cooldownSeconds?: number;
                        /** @constant */
                        type: "zone";
                        polygon: [
                            number,
                            number
                        ][];
                        minDurationSeconds?: number;
                    } | {
                        id: string;
                        name?: string;
                        minScore?: number;
                        minArea?: number;
                        maxArea?: number;
                        minAspect?: number;
                        maxAspect?: number;
                        /** @description consecutive frames */
                        inertia?: number;
                        masks?: [
                            number,
                            number
                        ][][];
                        activeHours?: {
                            days: ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[];
                            from: string;
                            to: string;
                        }[];
                        cooldownSeconds?: number;
                        /** @constant */
                        type: "loitering";
                        polygon: [
                            number,
                            number
                        ][];
                        seconds: number;
                    } | {
                        id: string;
                        name?: string;
                        minScore?: number;
                        minArea?: number;
                        maxArea?: number;
                        minAspect?: number;
                        maxAspect?: number;
                        /** @description consecutive frames */
                        inertia?: number;
                        masks?: [
                            number,
                            number
                        ][][];
                        activeHours?: {
                            days: ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[];
                            from: string;
                            to: string;
                        }[];
                        cooldownSeconds?: number;
                        /** @constant */
                        type: "line";
                        from: [
                            number,
                            number
                        ];
                        to: [
                            number,
                            number
                        ];
                        /** @enum {string} */
                        direction?: "left-to-right" | "right-to-left" | "any";
                        count?: boolean;
                        alarm?: boolean;
                        hysteresis?: number;
                    } | {
                        id: string;
                        name?: string;
                        minScore?: number;
                        minArea?: number;
                        maxArea?: number;
                        minAspect?: number;
                        maxAspect?: number;
                        /** @description consecutive frames */
                        inertia?: number;
                        masks?: [
                            number,
                            number
                        ][][];
                        activeHours?: {
                            days: ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[];
                            from: string;
                            to: string;
                        }[];
                        cooldownSeconds?: number;
                        /** @constant */
                        type: "crowding";
                        polygon: [
                            number,
                            number
                        ][];
                        minCount: number;
                        seconds: number;
                        /** @description people */
                        clearBelow?: number;
                        clearSeconds?: number;
                    })[];
                    filters?: {
                        minScore?: number;
                        minArea?: number;
                        maxArea?: number;
                        minAspect?: number;
                        maxAspect?: number;
                        /** @description consecutive frames */
                        inertia?: number;
                        masks?: [
                            number,
                            number
                        ][][];
                    };
                };
            };
        };
        responses: {
            /** @description the stored rules */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cameraId: string;
                        rules: components["schemas"]["Rule"][];
                        filters?: {
                            [key: string]: unknown;
                        };
                        updatedAt: string | null;
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description body too large (ours: the Error body; over 10 MB: the gateway's own `{ message }`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCameraSnapshot: {
        parameters: {
            query?: {
                redirect?: "true" | "false";
            };
            header?: never;
            path: {
                cameraId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the snapshot (redirect=false) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cameraId: string;
                        url: string;
                        clipStartAt: string | null;
                        writtenAt: string | null;
                    };
                };
            };
            /** @description redirect to a presigned URL of the JPEG */
            302: {
                headers: {
                    /** @description the presigned URL */
                    location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no snapshot yet (no clip of this camera has been processed) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listDeviceImages: {
        parameters: {
            query?: {
                /** @example 2017-12-15T00:00:00Z */
                from?: string;
                /** @example 2017-12-16T00:00:00Z */
                to?: string;
                /** @example big */
                kind?: "big" | "small" | "json";
                /** @example 50 */
                limit?: number;
                cursor?: string;
                order?: "asc" | "desc";
            };
            header?: never;
            path: {
                /** @example 3K01E84PAU00498 */
                deviceId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of images */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deviceId: string;
                        items: components["schemas"]["Image"][];
                        cursor?: string;
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getDocs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the reference page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getDocsScript: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the script (gzip) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/javascript": string;
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    submitFeaturesBatch: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    imageKeys: string[];
                };
            };
        };
        responses: {
            /** @description the job */
            202: {
                headers: {
                    /** @description /features/jobs/{jobId} */
                    location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        jobId: string;
                        total: number;
                        /** @constant */
                        state: "running";
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an app-bound key naming an image outside images/<appId>/ */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description body too large (ours: the Error body; over 10 MB: the gateway's own `{ message }`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the model or queue is not ready: retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    extractFeatures: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "imageKey": "images/example/messi5.jpg"
                 *     }
                 */
                "application/json": {
                    imageKey?: string;
                    /** Format: uri */
                    imageUrl?: string;
                };
            };
        };
        responses: {
            /** @description the faces */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        faces: {
                            /** @description [x, y, w, h] in pixels */
                            box: number[];
                            score: number;
                            embedding: number[];
                        }[];
                        model: string;
                        ms: number;
                        width: number;
                        height: number;
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an app-bound key naming an image outside images/<appId>/ */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the image does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description body too large (ours: the Error body; over 10 MB: the gateway's own `{ message }`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
                };
            };
            /** @description not an image, or the URL failed */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the model or queue is not ready: retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSearchHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok" | "degraded";
                        model: {
                            id: string;
                            dimension: number;
                            loaded: boolean;
                        } & {
                            [key: string]: unknown;
                        };
                        index: {
                            loaded: boolean;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description model or index not ready */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok" | "degraded";
                        model: {
                            id: string;
                            dimension: number;
                            loaded: boolean;
                        } & {
                            [key: string]: unknown;
                        };
                        index: {
                            loaded: boolean;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
    };
    getFeaturesJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                jobId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the job */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        jobId: string;
                        total: number;
                        done: number;
                        failed: number;
                        /** @enum {string} */
                        state: "queuing" | "running" | "completed" | "failed";
                        createdAt: string;
                        completedAt?: string;
                        expiresAt: string;
                        error?: string;
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unknown or expired job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteFeatures: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                imageKey: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description removed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        imageKey: string;
                        /** @constant */
                        removed: true;
                        faces: number;
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an app-bound key naming an image outside images/<appId>/ */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the image is not indexed */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    ftpNotify: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example [
                 *       {
                 *         "server": "cam1",
                 *         "path": "ftpdata/3K01E84PAU00498/2017/12/15/15/2017_12_15_15_56_49_6318_0.jpg"
                 *       },
                 *       {
                 *         "server": "cam1",
                 *         "path": "ftpdata/3K01E84PAU00498/2017/12/15/15/2017_12_15_15_56_49_6318_1.jpg"
                 *       },
                 *       {
                 *         "server": "cam1",
                 *         "path": "ftpdata/3K01E84PAU00498/2017/12/15/15/2017_12_15_15_56_49_6318_0.json"
                 *       }
                 *     ]
                 */
                "application/json": {
                    server: string;
                    path: string;
                } | {
                    server: string;
                    path: string;
                }[];
            };
        };
        responses: {
            /** @description queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "queued";
                        queued: number;
                        registered: number;
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description body too large (ours: the Error body; over 10 MB: the gateway's own `{ message }`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getFtpStatus: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the last runs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FtpStatus"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listGroups: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the groups */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        groups: {
                            name: string;
                            bucket: string;
                            /** @enum {string} */
                            status: "active" | "readonly";
                            files: number;
                            bytes: number;
                        }[];
                    };
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description all dependencies up */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok" | "degraded";
                        down?: string[];
                        stage?: string;
                        dependencies: {
                            [key: string]: {
                                /** @constant */
                                status: "up";
                                ms: number;
                            } | {
                                /** @constant */
                                status: "down";
                                error: string;
                            };
                        };
                    };
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a dependency is down (named in `down`) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok" | "degraded";
                        down?: string[];
                        stage?: string;
                        dependencies: {
                            [key: string]: {
                                /** @constant */
                                status: "up";
                                ms: number;
                            } | {
                                /** @constant */
                                status: "down";
                                error: string;
                            };
                        };
                    };
                };
            };
        };
    };
    nextIds: {
        parameters: {
            query?: {
                count?: number;
            };
            header?: never;
            path: {
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the IDs, increasing */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        key: string;
                        ids: number[];
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getImage: {
        parameters: {
            query?: {
                deviceId?: string;
            };
            header?: never;
            path: {
                /** @example 2017_12_15_15_56_49_6318_1.jpg */
                fileName: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the image */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Image"];
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such image */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description several devices have an image of this name: add ?deviceId= */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getImageContent: {
        parameters: {
            query?: {
                deviceId?: string;
            };
            header?: never;
            path: {
                fileName: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description redirect to the image */
            302: {
                headers: {
                    /** @description the URL */
                    location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such image */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description several devices have an image of this name: add ?deviceId= */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listMedia: {
        parameters: {
            query: {
                appId: string;
                userId: string;
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of files */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        files: components["schemas"]["MediaFile"][];
                        cursor?: string;
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an app-bound key listing another app */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createUpload: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "appId": "appA",
                 *       "userId": "alice",
                 *       "fileName": "clip.mp4",
                 *       "size": 2134032,
                 *       "contentType": "video/mp4"
                 *     }
                 */
                "application/json": {
                    appId: string;
                    userId: string;
                    fileName: string;
                    size: number;
                    /** @default application/octet-stream */
                    contentType?: string;
                };
            };
        };
        responses: {
            /** @description the upload ticket */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadTicket"];
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an app-bound key uploading for another app */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the user's storage group is read-only */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description body too large (ours: the Error body; over 10 MB: the gateway's own `{ message }`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    completeUpload: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                fileId: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    parts?: {
                        partNumber: number;
                        etag: string;
                    }[];
                };
            };
        };
        responses: {
            /** @description the file, ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MediaFile"];
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unknown file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the file is being deleted, or its bytes are not (all) there */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description body too large (ours: the Error body; over 10 MB: the gateway's own `{ message }`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getMedia: {
        parameters: {
            query?: {
                redirect?: "true" | "false";
            };
            header?: never;
            path: {
                fileId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the presigned URL (redirect=false) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        fileId: string;
                        url: string;
                    };
                };
            };
            /** @description redirect to a presigned URL */
            302: {
                headers: {
                    /** @description the presigned URL */
                    location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unknown file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteMedia: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                fileId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        fileId: string;
                        /** @constant */
                        status: "deleted";
                        alreadyDeleted: boolean;
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unknown file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    headMedia: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                fileId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the file exists */
            200: {
                headers: {
                    /** @description size in bytes */
                    "content-length"?: string;
                    /** @description size in bytes */
                    "x-media-size"?: string;
                    /** @description media type */
                    "content-type"?: string;
                    /** @description ETag */
                    etag?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description unknown file (no body: HEAD) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getMediaContent: {
        parameters: {
            query?: {
                offset?: number;
                size?: number;
            };
            header?: never;
            path: {
                /** @example 01m80hjsy900000000001 */
                fileId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the bytes of the range (at most the configured maximum per answer) */
            206: {
                headers: {
                    /** @description bytes start-end/size */
                    "content-range"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description redirect to a presigned URL */
            302: {
                headers: {
                    /** @description the presigned URL */
                    location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unknown file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the stored object no longer matches its record */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description range not satisfiable */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getOpenApi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        openapi: string;
                        info: {
                            [key: string]: unknown;
                        };
                        paths: {
                            [key: string]: unknown;
                        };
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listPendingPhotos: {
        parameters: {
            query: {
                pending: "download" | "analyse" | "report";
                within?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the ids */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        stage: "download" | "analyse" | "report";
                        within: string;
                        count: number;
                        ids: number[];
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    announcePhotos: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example [
                 *       {
                 *         "photoUrl": "http://127.0.0.1:8080/fixtures/basketball1.png",
                 *         "cameraCode": "scenic-gate-01",
                 *         "callTime": 1746059400000
                 *       },
                 *       {
                 *         "photoUrl": "http://127.0.0.1:8080/fixtures/basketball2.png",
                 *         "cameraCode": "scenic-gate-02",
                 *         "callTime": "2025-05-01T00:30:00Z"
                 *       }
                 *     ]
                 */
                "application/json": {
                    photoUrl: string;
                    cameraId?: string;
                    cameraCode?: string;
                    callTime: string | number;
                } | {
                    photoUrl: string;
                    cameraId?: string;
                    cameraCode?: string;
                    callTime: string | number;
                }[];
            };
        };
        responses: {
            /** @description accepted: `{ status, id }` for one, an array of answers for a batch */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PhotoIntakeAnswer"] | components["schemas"]["PhotoIntakeAnswer"][];
                };
            };
            /** @description a batch of which some items were refused (one answer per item) */
            207: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PhotoIntakeAnswer"][];
                };
            };
            /** @description invalid body, or no valid item of a batch (`items` has one answer per item) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "error";
                        /** @description Error code, e.g. ValidationError, NotFound, Conflict */
                        error: string;
                        /** @description What went wrong, naming the field */
                        message: string;
                        details?: components["schemas"]["ErrorDetail"][];
                        requestId: string;
                        items?: (components["schemas"]["PhotoIntakeAnswer"] | null)[];
                    };
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description body too large (ours: the Error body; over 10 MB: the gateway's own `{ message }`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getPhotoStats: {
        parameters: {
            query?: {
                within?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description counts of the photos with callTime in [from, to] */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PhotoStats"];
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getPhoto: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the record */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PhotoRecord"];
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postPhotoResult: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @example 1 */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "numOfPeople": 3,
                 *       "model": "seed-python-script",
                 *       "detections": [
                 *         {
                 *           "box": [
                 *             10,
                 *             20,
                 *             50,
                 *             120
                 *           ],
                 *           "score": 0.91
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": {
                    numOfPeople: number;
                    detections?: {
                        box: [
                            number,
                            number,
                            number,
                            number
                        ];
                        score: number;
                    }[];
                    model?: string;
                };
            };
        };
        responses: {
            /** @description recorded (also for a repeat with the same count: `duplicate`) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "success";
                        id: number;
                        numOfPeople: number;
                        /** @constant */
                        duplicate?: true;
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the photo already has a different count, or failed */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description body too large (ours: the Error body; over 10 MB: the gateway's own `{ message }`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    searchFaces: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "imageKey": "images/example/messi5.jpg",
                 *       "k": 10,
                 *       "minScore": 0.4
                 *     }
                 */
                "application/json": {
                    imageKey?: string;
                    imageBase64?: string;
                    /** @default 10 */
                    k?: number;
                    minScore?: number;
                };
            };
        };
        responses: {
            /** @description the matches, best first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        faces: {
                            /** @description [x, y, w, h] in pixels */
                            box: number[];
                            score: number;
                            matches: {
                                imageKey: string;
                                faceIndex: number;
                                score: number;
                                /** @description [x, y, w, h] in pixels */
                                box: number[];
                                /** @description presigned GET URL of the image (15 minutes) */
                                url: string;
                            }[];
                        }[];
                        model: string;
                        query: {
                            source: string;
                            extractMs: number;
                        };
                        index: {
                            kind: string;
                            size: number;
                            version: number;
                        };
                        ms: number;
                    };
                };
            };
            /** @description invalid request: `details` name the fields */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description missing or invalid x-api-key header */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an app-bound key naming an image outside images/<appId>/ */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the image does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description body too large (ours: the Error body; over 10 MB: the gateway's own `{ message }`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
                };
            };
            /** @description not an image */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description internal error (no details, never a stack trace) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
